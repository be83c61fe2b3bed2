package org.maskrcnn4j.tensor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** The optimizer records: torch's defaults, and errors naming the bad field. */
class OptimizerTest {
    @Test
    void adamWDefaultsAreTorchs() {
        Optimizer.AdamW a = new Optimizer.AdamW(0.05);
        assertThat(a.beta1()).isEqualTo(0.9);
        assertThat(a.beta2()).isEqualTo(0.999);
        assertThat(a.eps()).isEqualTo(1e-8);
        assertThat(a.weightDecay()).isEqualTo(0.05);
        assertThat(a.noDecay().test("any")).isFalse();
        assertThat(a.statePrefixes()).containsExactly("exp_avg/", "exp_avg_sq/", "step/");
        assertThat(a.clipGradNorm()).isZero();
        assertThat(a.withClipGradNorm(2).clipGradNorm()).isEqualTo(2);
        assertThat(a.withClipGradNorm(2).beta2()).isEqualTo(0.999);
        assertThat(new Optimizer.Sgd(0.9, 1e-4).statePrefixes()).containsExactly("momentum_buffer/");
    }

    @Test
    void badValuesNameTheField() {
        assertThatThrownBy(() -> new Optimizer.AdamW(1.0, 0.999, 1e-8, 0, n -> false))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("beta1 and beta2 must be in [0, 1)");
        assertThatThrownBy(() -> new Optimizer.AdamW(0.9, 0.999, 0, 0, n -> false))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("eps must be finite and > 0");
        assertThatThrownBy(() -> new Optimizer.AdamW(-1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("weight decay");
        assertThatThrownBy(() -> new Optimizer.Sgd(Double.NaN, 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("momentum");
        assertThatThrownBy(() -> new Optimizer.Sgd(0.9, 0).withClipGradNorm(-1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("clipGradNorm must be finite and >= 0");
        assertThatThrownBy(() -> new Optimizer.Sgd(0.9, 0, null))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("noDecay");
    }
}
