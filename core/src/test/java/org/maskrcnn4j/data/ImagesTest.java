package org.maskrcnn4j.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImagesTest {
    @TempDir
    Path dir;

    @Test
    void pngRoundTrip() throws IOException {
        BufferedImage img = new BufferedImage(5, 3, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 3; y++) {
            for (int x = 0; x < 5; x++) {
                img.setRGB(x, y, (x * 40) << 16 | (y * 80) << 8 | 7);
            }
        }
        Path file = dir.resolve("sub/a.png");
        Images.writePng(img, file);
        BufferedImage back = Images.readRgb(file);
        assertThat(back.getWidth()).isEqualTo(5);
        assertThat(back.getHeight()).isEqualTo(3);
        assertThat(pixels(back)).isEqualTo(pixels(img));
        assertThat(Images.exifOrientation(Files.readAllBytes(file))).isEqualTo(1);
    }

    @Test
    void decodesAdobeCmykJpegsWithTheTwelveMonkeysReader() throws IOException {
        assertThat(ImageIO.getImageReadersByFormatName("jpeg").next().getClass().getName())
                .startsWith("com.twelvemonkeys.");
        // a 16x8 four-channel JPEG with an Adobe APP14 marker, transform 0: CMYK stored inverted (255 = no ink);
        // left half no ink (paper white), right half full black ink only
        java.awt.image.WritableRaster cmyk = java.awt.image.Raster.createInterleavedRaster(
                java.awt.image.DataBuffer.TYPE_BYTE, 16, 8, 4, null);
        for (int y = 0; y < 8; y++) {
            for (int x = 0; x < 16; x++) {
                for (int c = 0; c < 4; c++) {
                    cmyk.setSample(x, y, c, x >= 8 && c == 3 ? 0 : 255);
                }
            }
        }
        javax.imageio.ImageWriter writer = ImageIO.getImageWritersByFormatName("jpeg").next();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (javax.imageio.stream.ImageOutputStream out = ImageIO.createImageOutputStream(bytes)) {
            writer.setOutput(out);
            writer.write(null, new javax.imageio.IIOImage(cmyk, null, null), null);
        } finally {
            writer.dispose();
        }
        byte[] raw = bytes.toByteArray();
        byte[] adobe = {(byte) 0xFF, (byte) 0xEE, 0, 14, 'A', 'd', 'o', 'b', 'e', 0, 100, 0, 0, 0, 0, 0};
        ByteArrayOutputStream jpeg = new ByteArrayOutputStream();
        jpeg.write(raw, 0, 2); // SOI
        jpeg.write(adobe);
        jpeg.write(raw, 2, raw.length - 2);
        Path file = dir.resolve("cmyk.jpg");
        Files.write(file, jpeg.toByteArray());

        BufferedImage rgb = Images.readRgb(file);
        assertThat(rgb.getWidth()).isEqualTo(16);
        assertThat(rgb.getHeight()).isEqualTo(8);
        int white = rgb.getRGB(2, 4);
        int black = rgb.getRGB(13, 4);
        assertThat(luma(white)).as("no ink, %08x", white).isGreaterThan(240);
        assertThat(luma(black)).as("full black ink, %08x", black).isLessThan(40);
    }

    private static double luma(int rgb) {
        return 0.299 * ((rgb >> 16) & 255) + 0.587 * ((rgb >> 8) & 255) + 0.114 * (rgb & 255);
    }

    @Test
    void errorsNameTheFile() throws IOException {
        Path missing = dir.resolve("missing.png");
        assertThatThrownBy(() -> Images.read(missing)).isInstanceOf(NoSuchFileException.class)
                .hasMessageContaining("missing.png");
        Path text = dir.resolve("notes.jpg");
        Files.writeString(text, "hello");
        assertThatThrownBy(() -> Images.read(text)).hasMessageStartingWith(text + ": not an image format")
                .hasMessageContaining("68 65 6c 6c 6f");
        Path empty = dir.resolve("empty.png");
        Files.write(empty, new byte[0]);
        assertThatThrownBy(() -> Images.read(empty)).hasMessageContaining("empty.png").hasMessageContaining("empty");
        BufferedImage img = new BufferedImage(64, 64, BufferedImage.TYPE_INT_RGB);
        ByteArrayOutputStream png = new ByteArrayOutputStream();
        ImageIO.write(img, "png", png);
        Path truncated = dir.resolve("cut.png");
        Files.write(truncated, Arrays.copyOf(png.toByteArray(), 60));
        assertThatThrownBy(() -> Images.read(truncated)).hasMessageStartingWith(truncated + ": ");
    }

    @Test
    void orientationsAsExifDefinesThem() {
        // stored:  a b c / d e f
        BufferedImage img = new BufferedImage(3, 2, BufferedImage.TYPE_INT_RGB);
        int[] v = {1, 2, 3, 4, 5, 6}; // a..f
        img.setRGB(0, 0, 3, 2, v, 0, 3);
        assertThat(grid(Images.orient(img, 1))).isEqualTo("123/456");
        assertThat(grid(Images.orient(img, 2))).isEqualTo("321/654");
        assertThat(grid(Images.orient(img, 3))).isEqualTo("654/321");
        assertThat(grid(Images.orient(img, 4))).isEqualTo("456/123");
        assertThat(grid(Images.orient(img, 5))).isEqualTo("14/25/36");
        assertThat(grid(Images.orient(img, 6))).isEqualTo("41/52/63");
        assertThat(grid(Images.orient(img, 7))).isEqualTo("63/52/41");
        assertThat(grid(Images.orient(img, 8))).isEqualTo("36/25/14");
    }

    @Test
    void appliesExifOrientationOfJpegs() throws IOException {
        // 40 x 20: left half red, right half blue
        BufferedImage img = new BufferedImage(40, 20, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 20; y++) {
            for (int x = 0; x < 40; x++) {
                img.setRGB(x, y, x < 20 ? 0xff0000 : 0x0000ff);
            }
        }
        ByteArrayOutputStream jpeg = new ByteArrayOutputStream();
        ImageIO.write(img, "jpg", jpeg);
        byte[] plain = jpeg.toByteArray();

        byte[] rotatedCw = withExif(plain, true, 6);
        assertThat(Images.exifOrientation(rotatedCw)).isEqualTo(6);
        Path cw = dir.resolve("cw.jpg");
        Files.write(cw, rotatedCw);
        BufferedImage up = Images.read(cw);
        assertThat(up.getWidth()).isEqualTo(20);
        assertThat(up.getHeight()).isEqualTo(40);
        assertThat(isRed(up.getRGB(10, 5))).isTrue(); // left half went to the top
        assertThat(isRed(up.getRGB(10, 35))).isFalse();
        assertThat(Images.readRaw(cw).getWidth()).isEqualTo(40);

        byte[] rotatedCcw = withExif(plain, false, 8);
        assertThat(Images.exifOrientation(rotatedCcw)).isEqualTo(8);
        Path ccw = dir.resolve("ccw.jpg");
        Files.write(ccw, rotatedCcw);
        BufferedImage up2 = Images.read(ccw);
        assertThat(up2.getHeight()).isEqualTo(40);
        assertThat(isRed(up2.getRGB(10, 35))).isTrue(); // left half went to the bottom
        assertThat(Images.exifOrientation(plain)).isEqualTo(1);
        assertThat(Images.exifOrientation(new byte[] {(byte) 0xff, (byte) 0xd8, (byte) 0xff, (byte) 0xe1, 0, 100}))
                .isEqualTo(1);
    }

    /** JPEG bytes with an APP1 EXIF segment holding only the orientation tag, inserted after SOI. */
    private static byte[] withExif(byte[] jpeg, boolean bigEndian, int orientation) {
        ByteArrayOutputStream tiff = new ByteArrayOutputStream();
        writeU16(tiff, bigEndian ? 0x4d4d : 0x4949, true);
        writeU16(tiff, 42, bigEndian);
        writeU32(tiff, 8, bigEndian);
        writeU16(tiff, 1, bigEndian); // one entry
        writeU16(tiff, 0x0112, bigEndian);
        writeU16(tiff, 3, bigEndian); // SHORT
        writeU32(tiff, 1, bigEndian);
        writeU16(tiff, orientation, bigEndian);
        writeU16(tiff, 0, bigEndian);
        writeU32(tiff, 0, bigEndian); // no next IFD
        byte[] t = tiff.toByteArray();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(jpeg, 0, 2);
        out.write(0xff);
        out.write(0xe1);
        writeU16(out, 2 + 6 + t.length, true);
        out.writeBytes(new byte[] {'E', 'x', 'i', 'f', 0, 0});
        out.writeBytes(t);
        out.write(jpeg, 2, jpeg.length - 2);
        return out.toByteArray();
    }

    private static void writeU16(ByteArrayOutputStream o, int v, boolean bigEndian) {
        if (bigEndian) {
            o.write(v >> 8);
            o.write(v);
        } else {
            o.write(v);
            o.write(v >> 8);
        }
    }

    private static void writeU32(ByteArrayOutputStream o, int v, boolean bigEndian) {
        if (bigEndian) {
            writeU16(o, v >>> 16, true);
            writeU16(o, v & 0xffff, true);
        } else {
            writeU16(o, v & 0xffff, false);
            writeU16(o, v >>> 16, false);
        }
    }

    private static boolean isRed(int rgb) {
        return ((rgb >> 16) & 0xff) > 200 && (rgb & 0xff) < 60;
    }

    private static String grid(BufferedImage img) {
        StringBuilder s = new StringBuilder();
        for (int y = 0; y < img.getHeight(); y++) {
            if (y > 0) {
                s.append('/');
            }
            for (int x = 0; x < img.getWidth(); x++) {
                s.append(img.getRGB(x, y) & 0xffffff);
            }
        }
        return s.toString();
    }

    private static int[] pixels(BufferedImage img) {
        return img.getRGB(0, 0, img.getWidth(), img.getHeight(), null, 0, img.getWidth());
    }
}
