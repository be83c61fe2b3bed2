package org.maskrcnn4j.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.maskrcnn4j.tensor.Optimizer;

/** Trainer settings: the optimizer they build, the old constructor's defaults, errors naming the field. */
class TrainerSettingsTest {
    private static final LearningRateSchedule LR = LearningRateSchedule.steps(0.01, 0, 1, new int[0], 1);

    @Test
    void theSevenArgumentFormIsPlainSgd() {
        Trainer.Settings s = new Trainer.Settings(10, 2, LR, 0.9, 1e-4, 0, 7);
        assertThat(s.optimizer()).isEqualTo(Trainer.OptimizerKind.SGD);
        assertThat(s.clipGradNorm()).isZero();
        assertThat(s.accumulate()).isEqualTo(1);
        Optimizer.Sgd sgd = (Optimizer.Sgd) s.optimizer(name -> name.equals("bn"));
        assertThat(sgd.momentum()).isEqualTo(0.9);
        assertThat(sgd.weightDecay()).isEqualTo(1e-4);
        assertThat(sgd.noDecay().test("bn")).isTrue();
    }

    @Test
    void adamWWithClipping() {
        Trainer.Settings s = new Trainer.Settings(10, 2, LR, 0.9, 0.05, 0, 7, Trainer.OptimizerKind.ADAMW, 2.5, 4);
        Optimizer.AdamW a = (Optimizer.AdamW) s.optimizer(name -> false);
        assertThat(a.weightDecay()).isEqualTo(0.05);
        assertThat(a.beta1()).isEqualTo(0.9);
        assertThat(a.clipGradNorm()).isEqualTo(2.5);
    }

    @Test
    void badValuesNameTheField() {
        assertThatThrownBy(() -> new Trainer.Settings(10, 2, LR, 0.9, 0, 0, 7, Trainer.OptimizerKind.SGD, 0, 0))
                .hasMessageContaining("accumulate (micro-batches per step) must be >= 1, got 0");
        assertThatThrownBy(() -> new Trainer.Settings(10, 2, LR, 0.9, 0, 0, 7, Trainer.OptimizerKind.SGD, -1, 1))
                .hasMessageContaining("clipGradNorm must be finite and >= 0");
        assertThatThrownBy(() -> new Trainer.Settings(10, 2, LR, 0.9, 0, 0, 7, null, 0, 1))
                .hasMessageContaining("optimizer must be one of [SGD, ADAMW]");
    }
}
