package org.maskrcnn4j.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Polygon rasterization as pycocotools' rleFrPoly. A pixel (x, y) is set when its centre (x + 0.5, y + 0.5) is
 * strictly inside the polygon, up to pycocotools' 1/5-pixel grid; the first two tests are counted by hand on that
 * rule and by following rleFrPoly step by step (noted inline). The last vectors were produced by pycocotools' own
 * C code (common/maskApi.c: rleFrPoly / rleFrBbox + rleToString, cocodataset/cocoapi), compiled and run
 * outside this project.
 */
class PolygonsTest {

    @Test
    void rectangleWithIntegerCorners() {
        // [1,4) x [1,3): columns 1..3, rows 1..2. Upsampled by 5 the top edge crosses the column centre lines
        // u = 7, 12, 17 at v = 5 -> row ceil(5.5/5 - .5) = 1; the bottom edge at v = 15 -> row ceil(2.6) = 3;
        // boundaries x*h+y = 6, 11, 16 and 8, 13, 18 (h = 5) -> counts 6,2,3,2,3,2,12.
        Rle rle = Polygons.rasterize(new double[] {1, 1, 4, 1, 4, 3, 1, 3}, 5, 6);
        assertThat(Masks.draw(rle.decode())).containsExactly(
                "......",
                ".###..",
                ".###..",
                "......",
                "......");
        assertThat(rle.counts()).containsExactly(6, 2, 3, 2, 3, 2, 12);
        assertThat(rle.area()).isEqualTo(6);
    }

    @Test
    void rightTriangle() {
        // x + y < 4 for pixel centres: (0.5, 0.5)..(2.5, 0.5) in row 0, two in row 1, one in row 2; column 3's
        // centre (3.5, 0.5) lies on the hypotenuse and is out (the edge points at row 0 from the top edge and from the
        // hypotenuse cancel). Boundaries 0,3 | 5,7 | 10,11 | 15,15 | 25 -> counts 0,3,2,2,3,1,14.
        Rle rle = Polygons.rasterize(new double[] {0, 0, 4, 0, 0, 4}, 5, 5);
        assertThat(Masks.draw(rle.decode())).containsExactly(
                "###..",
                "##...",
                "#....",
                ".....",
                ".....");
        assertThat(rle.counts()).containsExactly(0, 3, 2, 2, 3, 1, 14);
    }

    @Test
    void vertexOrderDoesNotMatter() {
        Rle cw = Polygons.rasterize(new double[] {0, 0, 4, 0, 0, 4}, 5, 5);
        Rle ccw = Polygons.rasterize(new double[] {0, 4, 4, 0, 0, 0}, 5, 5);
        assertThat(ccw).isEqualTo(cw);
    }

    @Test
    void partlyOutsideIsClipped() {
        // the square [-2, 3) x [-2, 3) covers pixels 0..2 in both directions of a 4x4 image
        Rle rle = Polygons.rasterize(new double[] {-2, -2, 3, -2, 3, 3, -2, 3}, 4, 4);
        assertThat(Masks.draw(rle.decode())).containsExactly("###.", "###.", "###.", "....");
    }

    @Test
    void matchesPycocotoolsVectors() {
        // vectors from pycocotools' maskApi.c (see class comment)
        assertThat(Polygons.rasterize(new double[] {0.7, 1.2, 8.3, 0.4, 9.6, 6.9, 4.5, 7.7, -1.3, 4.2}, 8, 10)
                .toCompressedString()).isEqualTo("2342O001O1O00O011O5KJ");
        assertThat(Polygons.rasterize(new double[] {-2.4, -2.4, 4.6, 1.1, 0.9, 5.35}, 6, 6).toCompressedString())
                .isEqualTo("0421OO2M=");
        // a 5-pointed star (non-convex)
        assertThat(Polygons.rasterize(new double[] {4.5, 0, 5.6, 3.4, 9, 3.4, 6.2, 5.6, 7.4, 9.2, 4.5, 7.0, 1.6, 9.2,
                2.8, 5.6, 0, 3.4, 3.4, 3.4}, 12, 9).toCompressedString()).isEqualTo("31;1O0G063M24NOMJ0603ON");
        assertThat(Polygons.fromBox(1.5, 2.25, 5.5, 3.5, 7, 9).toCompressedString()).isEqualTo("`0430000000<");
        assertThat(Polygons.fromBox(0, 0, 5, 5, 5, 5).toCompressedString()).isEqualTo("0i0");
    }

    @Test
    void boxIsThePolygonThroughItsCorners() {
        assertThat(Polygons.fromBox(1, 1, 3, 2, 5, 6)).isEqualTo(
                Polygons.rasterize(new double[] {1, 1, 4, 1, 4, 3, 1, 3}, 5, 6));
        assertThat(Polygons.fromBox(0, 0, 5, 5, 5, 5).area()).isEqualTo(25);
    }

    @Test
    void severalPolygonsAreMerged() {
        Rle two = Polygons.rasterize(List.of(new double[] {0, 0, 2, 0, 2, 2, 0, 2},
                new double[] {3, 3, 5, 3, 5, 5, 3, 5}), 5, 5);
        assertThat(Masks.draw(two.decode())).containsExactly("##...", "##...", ".....", "...##", "...##");
        assertThat(Polygons.rasterize(List.of(), 5, 5)).isEqualTo(Rle.empty(5, 5));
    }

    @Test
    void annotationWithFourNumbersIsReadAsBoxesLikePycocotools() {
        // pycocotools' frPyObjects treats [[x, y, w, h], ...] as boxes
        Rle r = Polygons.annotationToRle(List.of(new double[] {1, 1, 2, 2}), 4, 4);
        assertThat(Masks.draw(r.decode())).containsExactly("....", ".##.", ".##.", "....");
        assertThatThrownBy(() -> Polygons.annotationToRle(List.of(new double[] {1, 1, 2, 2},
                new double[] {0, 0, 1, 0, 1, 1}), 4, 4)).hasMessageContaining("mixes boxes");
    }

    @Test
    void degeneratePolygonsAreEmpty() {
        assertThat(Polygons.rasterize(new double[] {1, 1, 1, 1, 1, 1}, 4, 4).area()).isZero();
        assertThat(Polygons.rasterize(new double[] {}, 4, 4).area()).isZero();
        assertThat(Polygons.rasterize(new double[] {0, 0, 3, 3}, 4, 4).area()).isZero();
    }
}
