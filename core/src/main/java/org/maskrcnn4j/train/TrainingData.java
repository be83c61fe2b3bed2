package org.maskrcnn4j.train;

import java.io.IOException;
import java.util.List;

/**
 * The training set as indexed examples loaded on demand (torchvision's map-style {@code Dataset}): the
 * {@link Trainer} asks for the examples of each batch when it needs them, so a large dataset is never
 * decoded all at once. {@link #load} may be called from several loader threads at once and must return the
 * same example for the same index every time; its errors name the file that failed.
 */
public interface TrainingData {
    /** The number of examples. */
    int size();

    /** Width / height of example {@code index}, known without loading it (for aspect-ratio grouping). */
    double aspectRatio(int index);

    /** Example {@code index}, {@code 0 <= index < size()}. */
    TrainingExample load(int index) throws IOException;

    /** Examples already in memory. */
    static TrainingData of(List<TrainingExample> examples) {
        List<TrainingExample> list = List.copyOf(examples);
        return new TrainingData() {
            @Override
            public int size() {
                return list.size();
            }

            @Override
            public double aspectRatio(int index) {
                TrainingExample e = list.get(index);
                return (double) e.image().shape().get(2) / e.image().shape().get(1);
            }

            @Override
            public TrainingExample load(int index) {
                return list.get(index);
            }
        };
    }
}
