package org.maskrcnn4j.examples.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.maskrcnn4j.examples.shapes.ShapesDataset;
import org.maskrcnn4j.train.TrainingExample;

/** A COCO folder as lazily decoded training data: the generated examples, sizes from the json, errors naming the file. */
class CocoTrainingDataTest {
    @TempDir
    Path dir;

    private final ShapesDataset shapes = new ShapesDataset(3, ShapesDataset.Config.defaults().withSize(48, 32));

    @Test
    void examplesAreDecodedOnDemandAndEqualTheGeneratedOnes() throws IOException {
        shapes.write(dir, 3);
        CocoTrainingData data = CocoTrainingData.open(dir);
        assertThat(data.size()).isEqualTo(3);
        List<ShapesDataset.Sample> samples = shapes.samples(3);
        for (int i = 0; i < 3; i++) {
            TrainingExample ex = data.load(i);
            assertThat(ex.image().toFloatArray()).containsExactly(samples.get(i).imageTensor().toFloatArray());
            assertThat(ex.masks().toFloatArray()).containsExactly(samples.get(i).masksTensor().toFloatArray());
            assertThat(ex.labels().toLongArray()).containsExactly(samples.get(i).labelsTensor().toLongArray());
        }
    }

    @Test
    void aspectRatiosComeFromTheJsonWithoutDecoding() throws IOException {
        shapes.write(dir, 2);
        CocoTrainingData data = CocoTrainingData.open(dir);
        Files.delete(data.file(1));
        assertThat(data.aspectRatio(1)).isEqualTo(1.5);
    }

    @Test
    void aCorruptImageNamesTheFile() throws IOException {
        shapes.write(dir, 2);
        CocoTrainingData data = CocoTrainingData.open(dir);
        Files.writeString(data.file(1), "not a png");
        assertThat(data.load(0).image().shape().get(2)).isEqualTo(48);
        assertThatThrownBy(() -> data.load(1)).isInstanceOf(IOException.class)
                .hasMessageContaining(data.file(1).toString());
    }
}
