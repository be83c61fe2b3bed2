package org.maskrcnn4j.reference;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.maskrcnn4j.io.SafetensorsFile;
import org.maskrcnn4j.testing.Fixtures;

/** {@link ReferenceNms} against torchvision 0.14 ({@code nms.safetensors}, README section 2): exact indices. */
class ReferenceNmsFixtureTest {
    /** Cached by {@link Fixtures}: not closed here. */
    private static SafetensorsFile file;

    @BeforeAll
    static void open() {
        file = Fixtures.open("nms.safetensors");
    }

    @Test
    void everyStoredCaseIsTested() {
        long cases = file.names().stream().filter(name -> name.endsWith(".keep")).count();
        assertThat(cases).isEqualTo(12);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"random200_iou0.3", "random200_iou0.5", "random200_iou0.7", "duplicates_iou0.5",
        "tied_iou0.5", "partly_tied_iou0.3", "zero_area_iou0.5", "iou_equal_threshold_0.5"})
    void nmsMatchesTorchvision(String name) {
        assertThat(file.names()).doesNotContain(name + ".idxs");
        long[] keep = ReferenceNms.nms(file.get(name + ".boxes").toDoubleArray(),
                file.get(name + ".scores").toDoubleArray(), threshold(name));
        assertThat(keep).containsExactly(file.get(name + ".keep").toLongArray());
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"batched200_iou0.3", "batched200_iou0.5", "batched200_iou0.7", "batched1100_iou0.5"})
    void batchedNmsMatchesTorchvision(String name) {
        long[] keep = ReferenceNms.batchedNms(file.get(name + ".boxes").toDoubleArray(),
                file.get(name + ".scores").toDoubleArray(), file.get(name + ".idxs").toLongArray(),
                threshold(name));
        assertThat(keep).containsExactly(file.get(name + ".keep").toLongArray());
    }

    private static double threshold(String name) {
        String value = file.metadata().get(name + ".iou_threshold");
        assertThat(value).as("metadata %s.iou_threshold", name).isNotNull();
        return Double.parseDouble(value);
    }
}
