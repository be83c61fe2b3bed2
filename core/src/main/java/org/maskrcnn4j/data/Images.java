package org.maskrcnn4j.data;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import javax.imageio.IIOException;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.ImageOutputStream;
import javax.imageio.stream.MemoryCacheImageInputStream;
import javax.imageio.stream.MemoryCacheImageOutputStream;

/**
 * Reads and writes images with ImageIO (PNG, JPEG, BMP, GIF, WBMP, TIFF); errors name the file.
 *
 * <p>The EXIF orientation of JPEG files (tag 0x0112 in the APP1 segment) is applied by {@link #read(Path)}, so
 * images come out upright as photo viewers show them (as detectron2's {@code read_image} does); torchvision's
 * reference pipelines, built on plain {@code PIL.Image.open}, do <b>not</b> apply it: use {@link #readRaw(Path)} to
 * match annotations made on the stored pixel order. JPEGs are decoded by the TwelveMonkeys plugin (a dependency of
 * core, registered with ImageIO on the classpath), which handles CMYK/YCCK files with their ICC profiles.
 */
public final class Images {
    private Images() {
    }

    /** Reads an image and applies its EXIF orientation (JPEG only). */
    public static BufferedImage read(Path file) throws IOException {
        byte[] bytes = readBytes(file);
        BufferedImage image = decode(bytes, file.toString());
        int orientation = exifOrientation(bytes);
        return orientation <= 1 ? image : orient(image, orientation);
    }

    /** Reads an image as stored, ignoring any EXIF orientation. */
    public static BufferedImage readRaw(Path file) throws IOException {
        return decode(readBytes(file), file.toString());
    }

    /** Reads an image (EXIF orientation applied) as {@link BufferedImage#TYPE_INT_RGB}, alpha dropped. */
    public static BufferedImage readRgb(Path file) throws IOException {
        return toRgb(read(file));
    }

    /** The image as {@link BufferedImage#TYPE_INT_RGB} (the same object when it already is). */
    public static BufferedImage toRgb(BufferedImage image) {
        if (image.getType() == BufferedImage.TYPE_INT_RGB) {
            return image;
        }
        int w = image.getWidth();
        int h = image.getHeight();
        BufferedImage out = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        int[] row = new int[w];
        for (int y = 0; y < h; y++) {
            image.getRGB(0, y, w, 1, row, 0, w);
            out.setRGB(0, y, w, 1, row, 0, w);
        }
        return out;
    }

    /** Writes a PNG atomically (temporary file + rename). */
    public static void writePng(BufferedImage image, Path file) throws IOException {
        AtomicFiles.write(file, out -> {
            Iterator<ImageWriter> writers = ImageIO.getImageWritersByFormatName("png");
            if (!writers.hasNext()) {
                throw new IOException(file + ": no PNG writer");
            }
            ImageWriter writer = writers.next();
            try (ImageOutputStream ios = new MemoryCacheImageOutputStream(out)) {
                writer.setOutput(ios);
                writer.write(image);
                ios.flush();
            } finally {
                writer.dispose();
            }
        });
    }

    /** Decodes image bytes; {@code source} names them in errors. */
    public static BufferedImage decode(byte[] bytes, String source) throws IOException {
        try (ImageInputStream in = new MemoryCacheImageInputStream(new ByteArrayInputStream(bytes))) {
            Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
            if (!readers.hasNext()) {
                throw new IOException(source + ": not an image format ImageIO can read (" + describeStart(bytes)
                        + "; readers for: " + String.join(", ", formats()) + ")");
            }
            ImageReader reader = readers.next();
            try {
                reader.setInput(in, true, true);
                BufferedImage image = reader.read(0);
                if (image == null) {
                    throw new IOException(source + ": " + reader.getFormatName() + " reader returned no image");
                }
                return image;
            } catch (IIOException e) {
                String msg = String.valueOf(e.getMessage());
                String hint = msg.contains("Unsupported Image Type") || msg.contains("Unsupported JPEG process")
                        ? " (is the TwelveMonkeys imageio-jpeg plugin missing from the classpath?)"
                        : "";
                throw new IOException(source + ": cannot decode " + reader.getFormatName() + " image: " + msg + hint,
                        e);
            } catch (RuntimeException e) {
                throw new IOException(source + ": cannot decode " + reader.getFormatName() + " image: " + e, e);
            } finally {
                reader.dispose();
            }
        }
    }

    /**
     * The EXIF orientation (1..8) of JPEG bytes, or 1 when there is none, the bytes are not a JPEG or the EXIF
     * block is malformed.
     */
    public static int exifOrientation(byte[] b) {
        if (b.length < 4 || (b[0] & 0xff) != 0xFF || (b[1] & 0xff) != 0xD8) {
            return 1;
        }
        int pos = 2;
        while (pos + 4 <= b.length) {
            if ((b[pos] & 0xff) != 0xFF) {
                return 1;
            }
            int marker = b[pos + 1] & 0xff;
            if (marker == 0xFF) {
                pos++; // fill byte
                continue;
            }
            if (marker == 0xD9 || marker == 0xDA) {
                return 1; // end of image / start of scan: no EXIF before the data
            }
            if (marker == 0x01 || (marker >= 0xD0 && marker <= 0xD7)) {
                pos += 2;
                continue;
            }
            int len = u16(b, pos + 2, true);
            if (len < 2 || pos + 2 + len > b.length) {
                return 1;
            }
            int start = pos + 4;
            if (marker == 0xE1 && len >= 8 && b[start] == 'E' && b[start + 1] == 'x' && b[start + 2] == 'i'
                    && b[start + 3] == 'f' && b[start + 4] == 0 && b[start + 5] == 0) {
                int o = tiffOrientation(b, start + 6, pos + 2 + len);
                if (o > 0) {
                    return o;
                }
            }
            pos += 2 + len;
        }
        return 1;
    }

    /** Orientation tag of the TIFF structure in {@code b[tiff, end)}, or 0. */
    private static int tiffOrientation(byte[] b, int tiff, int end) {
        if (tiff + 8 > end) {
            return 0;
        }
        boolean bigEndian;
        if (b[tiff] == 'M' && b[tiff + 1] == 'M') {
            bigEndian = true;
        } else if (b[tiff] == 'I' && b[tiff + 1] == 'I') {
            bigEndian = false;
        } else {
            return 0;
        }
        if (u16(b, tiff + 2, bigEndian) != 42) {
            return 0;
        }
        long ifd = u32(b, tiff + 4, bigEndian);
        if (ifd < 8 || tiff + ifd + 2 > end) {
            return 0;
        }
        int at = (int) (tiff + ifd);
        int entries = u16(b, at, bigEndian);
        for (int i = 0; i < entries; i++) {
            int e = at + 2 + 12 * i;
            if (e + 12 > end) {
                return 0;
            }
            if (u16(b, e, bigEndian) == 0x0112) {
                int type = u16(b, e + 2, bigEndian);
                int value = type == 3 ? u16(b, e + 8, bigEndian) : type == 4 ? (int) u32(b, e + 8, bigEndian) : 0;
                return value >= 1 && value <= 8 ? value : 0;
            }
        }
        return 0;
    }

    /**
     * The image transformed for display per an EXIF orientation: 2 mirror, 3 rotate 180, 4 flip, 5 transpose,
     * 6 rotate 90 clockwise, 7 transverse, 8 rotate 90 counter-clockwise; 1 (or anything else) returns the image.
     */
    public static BufferedImage orient(BufferedImage in, int orientation) {
        if (orientation < 2 || orientation > 8) {
            return in;
        }
        int w = in.getWidth();
        int h = in.getHeight();
        boolean swap = orientation >= 5;
        int ow = swap ? h : w;
        int oh = swap ? w : h;
        int type = in.getColorModel().hasAlpha() ? BufferedImage.TYPE_INT_ARGB : BufferedImage.TYPE_INT_RGB;
        BufferedImage out = new BufferedImage(ow, oh, type);
        int[] src = in.getRGB(0, 0, w, h, null, 0, w);
        int[] dst = new int[ow * oh];
        for (int y = 0; y < oh; y++) {
            for (int x = 0; x < ow; x++) {
                int sx;
                int sy;
                switch (orientation) {
                    case 2 -> {
                        sx = w - 1 - x;
                        sy = y;
                    }
                    case 3 -> {
                        sx = w - 1 - x;
                        sy = h - 1 - y;
                    }
                    case 4 -> {
                        sx = x;
                        sy = h - 1 - y;
                    }
                    case 5 -> {
                        sx = y;
                        sy = x;
                    }
                    case 6 -> {
                        sx = y;
                        sy = h - 1 - x;
                    }
                    case 7 -> {
                        sx = w - 1 - y;
                        sy = h - 1 - x;
                    }
                    default -> {
                        sx = w - 1 - y;
                        sy = x;
                    }
                }
                dst[y * ow + x] = src[sy * w + sx];
            }
        }
        out.setRGB(0, 0, ow, oh, dst, 0, ow);
        return out;
    }

    private static byte[] readBytes(Path file) throws IOException {
        try {
            return Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new NoSuchFileException(file.toString(), null, "image file not found");
        } catch (IOException e) {
            throw new IOException(file + ": cannot read image file: " + e.getMessage(), e);
        }
    }

    private static String describeStart(byte[] b) {
        if (b.length == 0) {
            return "the file is empty";
        }
        StringBuilder s = new StringBuilder("starts with");
        for (int i = 0; i < Math.min(8, b.length); i++) {
            s.append(String.format(Locale.ROOT, " %02x", b[i] & 0xff));
        }
        return s.toString();
    }

    private static Set<String> formats() {
        Set<String> out = new TreeSet<>();
        for (String f : ImageIO.getReaderFormatNames()) {
            out.add(f.toLowerCase(Locale.ROOT));
        }
        return out;
    }

    private static int u16(byte[] b, int at, boolean bigEndian) {
        int b0 = b[at] & 0xff;
        int b1 = b[at + 1] & 0xff;
        return bigEndian ? (b0 << 8) | b1 : (b1 << 8) | b0;
    }

    private static long u32(byte[] b, int at, boolean bigEndian) {
        long hi = u16(b, bigEndian ? at : at + 2, bigEndian);
        long lo = u16(b, bigEndian ? at + 2 : at, bigEndian);
        return (hi << 16) | lo;
    }
}
