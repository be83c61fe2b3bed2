package org.maskrcnn4j.examples.render;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.awt.image.BufferedImage;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The overlay grid places scaled images in rows, 4 white pixels apart. */
class OverlaysGridTest {

    private static BufferedImage filled(int w, int h, int rgb) {
        BufferedImage im = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                im.setRGB(x, y, rgb);
            }
        }
        return im;
    }

    @Test
    void threeImagesInRowsOfTwoAtDoubleSize() {
        BufferedImage g = Overlays.grid(List.of(filled(3, 2, 0xff0000), filled(3, 2, 0x00ff00), filled(3, 2, 0x0000ff)),
                2, 2);
        // 2 columns of 6 px + 3 gaps of 4; 2 rows of 4 px + 3 gaps
        assertThat(g.getWidth()).isEqualTo(2 * 6 + 3 * 4);
        assertThat(g.getHeight()).isEqualTo(2 * 4 + 3 * 4);
        assertThat(g.getRGB(4, 4) & 0xffffff).isEqualTo(0xff0000);
        assertThat(g.getRGB(9, 7) & 0xffffff).isEqualTo(0xff0000);
        assertThat(g.getRGB(14, 4) & 0xffffff).isEqualTo(0x00ff00);
        assertThat(g.getRGB(4, 12) & 0xffffff).isEqualTo(0x0000ff);
        assertThat(g.getRGB(14, 12) & 0xffffff).as("the empty cell stays white").isEqualTo(0xffffff);
        assertThat(g.getRGB(0, 0) & 0xffffff).isEqualTo(0xffffff);
        assertThatThrownBy(() -> Overlays.grid(List.of(), 2, 2)).hasMessageContaining("0 images");
    }
}
