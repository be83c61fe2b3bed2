package org.maskrcnn4j.data;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A COCO instances dataset: images, categories and annotations, in file order. Lists are immutable; the lookup
 * methods build their indexes on first use.
 */
public final class CocoDataset {
    private final List<CocoImage> images;
    private final List<CocoCategory> categories;
    private final List<CocoAnnotation> annotations;
    private volatile Map<Long, CocoImage> imagesById;
    private volatile Map<Long, CocoCategory> categoriesById;
    private volatile Map<Long, List<CocoAnnotation>> annotationsByImage;

    public CocoDataset(List<CocoImage> images, List<CocoCategory> categories, List<CocoAnnotation> annotations) {
        this.images = List.copyOf(images);
        this.categories = List.copyOf(categories);
        this.annotations = List.copyOf(annotations);
    }

    public List<CocoImage> images() {
        return images;
    }

    public List<CocoCategory> categories() {
        return categories;
    }

    public List<CocoAnnotation> annotations() {
        return annotations;
    }

    /** The image with this id, or null. */
    public CocoImage image(long id) {
        Map<Long, CocoImage> m = imagesById;
        if (m == null) {
            m = new LinkedHashMap<>();
            for (CocoImage i : images) {
                m.putIfAbsent(i.id(), i);
            }
            imagesById = m;
        }
        return m.get(id);
    }

    /** The category with this id, or null. */
    public CocoCategory category(long id) {
        Map<Long, CocoCategory> m = categoriesById;
        if (m == null) {
            m = new LinkedHashMap<>();
            for (CocoCategory c : categories) {
                m.putIfAbsent(c.id(), c);
            }
            categoriesById = m;
        }
        return m.get(id);
    }

    /** The annotations of one image, in file order (empty if none). */
    public List<CocoAnnotation> annotationsOf(long imageId) {
        Map<Long, List<CocoAnnotation>> m = annotationsByImage;
        if (m == null) {
            Map<Long, List<CocoAnnotation>> build = new LinkedHashMap<>();
            for (CocoAnnotation a : annotations) {
                build.computeIfAbsent(a.imageId(), k -> new ArrayList<>()).add(a);
            }
            build.replaceAll((k, v) -> Collections.unmodifiableList(v));
            m = build;
            annotationsByImage = m;
        }
        return m.getOrDefault(imageId, List.of());
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof CocoDataset d && d.images.equals(images) && d.categories.equals(categories)
                && d.annotations.equals(annotations);
    }

    @Override
    public int hashCode() {
        return (images.hashCode() * 31 + categories.hashCode()) * 31 + annotations.hashCode();
    }

    @Override
    public String toString() {
        return "CocoDataset[" + images.size() + " images, " + categories.size() + " categories, "
                + annotations.size() + " annotations]";
    }
}
