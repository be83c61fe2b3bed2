package org.maskrcnn4j.examples.render;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.util.List;
import java.util.Locale;
import java.util.function.IntFunction;
import org.maskrcnn4j.model.BinaryMask;
import org.maskrcnn4j.model.Instance;

/** Draws detections on an image: translucent coloured masks, boxes, and "label score" captions. */
public final class Overlays {
    private static final Color[] PALETTE = {new Color(230, 25, 75), new Color(60, 180, 75), new Color(255, 225, 25),
        new Color(0, 130, 200), new Color(245, 130, 48), new Color(145, 30, 180), new Color(70, 240, 240),
        new Color(240, 50, 230), new Color(210, 245, 60), new Color(250, 190, 212)};

    private Overlays() {
    }

    /** A copy of {@code image} with every instance drawn; {@code names} gives a label's display name. */
    public static BufferedImage draw(BufferedImage image, List<Instance> instances, IntFunction<String> names) {
        BufferedImage out = new BufferedImage(image.getWidth(), image.getHeight(), BufferedImage.TYPE_INT_RGB);
        Graphics2D g = out.createGraphics();
        g.drawImage(image, 0, 0, null);
        for (int i = 0; i < instances.size(); i++) {
            Color c = PALETTE[i % PALETTE.length];
            BinaryMask mask = instances.get(i).mask();
            if (mask != null) {
                blend(out, mask, c);
            }
        }
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, Math.max(9, image.getHeight() / 28)));
        g.setStroke(new BasicStroke(1.5f));
        for (int i = 0; i < instances.size(); i++) {
            Instance inst = instances.get(i);
            Color c = PALETTE[i % PALETTE.length];
            float[] b = inst.box();
            g.setColor(c);
            g.drawRect(Math.round(b[0]), Math.round(b[1]), Math.round(b[2] - b[0]), Math.round(b[3] - b[1]));
            String caption = names.apply(inst.label()) + String.format(Locale.ROOT, " %.2f", inst.score());
            int tx = Math.round(b[0]);
            int ty = Math.max(g.getFontMetrics().getAscent(), Math.round(b[1]) - 2);
            g.setColor(Color.BLACK);
            g.drawString(caption, tx + 1, ty + 1);
            g.setColor(Color.WHITE);
            g.drawString(caption, tx, ty);
        }
        g.dispose();
        return out;
    }

    private static void blend(BufferedImage img, BinaryMask mask, Color c) {
        int h = Math.min(mask.height(), img.getHeight());
        int w = Math.min(mask.width(), img.getWidth());
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                if (mask.get(y, x)) {
                    int p = img.getRGB(x, y);
                    int r = ((p >> 16 & 0xff) + c.getRed()) / 2;
                    int gg = ((p >> 8 & 0xff) + c.getGreen()) / 2;
                    int bb = ((p & 0xff) + c.getBlue()) / 2;
                    img.setRGB(x, y, r << 16 | gg << 8 | bb);
                }
            }
        }
    }

    /**
     * The images side by side in rows of {@code columns}, each scaled by {@code scale} with nearest
     * neighbours (pixels stay sharp), 4 pixels apart on white; cells take the largest image's size.
     */
    public static BufferedImage grid(List<BufferedImage> images, int columns, int scale) {
        if (images.isEmpty() || columns < 1 || scale < 1) {
            throw new IllegalArgumentException("grid needs images, columns >= 1 and scale >= 1, got " + images.size()
                    + " images, " + columns + " columns, scale " + scale);
        }
        int cw = images.stream().mapToInt(BufferedImage::getWidth).max().orElseThrow() * scale;
        int ch = images.stream().mapToInt(BufferedImage::getHeight).max().orElseThrow() * scale;
        int cols = Math.min(columns, images.size());
        int rows = (images.size() + cols - 1) / cols;
        int gap = 4;
        BufferedImage out = new BufferedImage(cols * cw + (cols + 1) * gap, rows * ch + (rows + 1) * gap,
                BufferedImage.TYPE_INT_RGB);
        Graphics2D g = out.createGraphics();
        try {
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, out.getWidth(), out.getHeight());
            g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_NEAREST_NEIGHBOR);
            for (int i = 0; i < images.size(); i++) {
                BufferedImage im = images.get(i);
                int x = gap + (i % cols) * (cw + gap);
                int y = gap + (i / cols) * (ch + gap);
                g.drawImage(im, x, y, im.getWidth() * scale, im.getHeight() * scale, null);
            }
        } finally {
            g.dispose();
        }
        return out;
    }
}
