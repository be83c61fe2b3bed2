package org.maskrcnn4j.model;

/**
 * Every setting of a Mask R-CNN, with torchvision's {@code maskrcnn_resnet50_fpn} defaults. Immutable;
 * change it with {@link #toBuilder()}. A small CPU configuration is one line, e.g.
 * {@code MaskRcnnConfig.builder().depth(18).numClasses(4).minSize(256).maxSize(320).build()}.
 */
public record MaskRcnnConfig(
        int numClasses,
        ResNet.Spec body,
        NormKind norm,
        int trainableBackboneLayers,
        int fpnChannels,
        long minSize,
        long maxSize,
        float[] imageMean,
        float[] imageStd,
        double[] anchorSizes,
        double[] aspectRatios,
        RegionProposalNetwork.Settings rpn,
        StandardRoIHeads.Settings roiHeads,
        int boxPoolSize,
        int maskPoolSize,
        int samplingRatio,
        int representationSize,
        int[] maskLayers,
        boolean masks) {

    public MaskRcnnConfig {
        if (numClasses < 2) {
            throw new IllegalArgumentException("numClasses counts the background too and must be >= 2, got " + numClasses);
        }
        java.util.Objects.requireNonNull(body, "body");
        java.util.Objects.requireNonNull(norm, "norm");
        if (minSize <= 0 || maxSize < minSize) {
            throw new IllegalArgumentException("need 0 < minSize <= maxSize, got " + minSize + " / " + maxSize);
        }
        if (imageMean.length != 3 || imageStd.length != 3) {
            throw new IllegalArgumentException("imageMean and imageStd need 3 values");
        }
        imageMean = imageMean.clone();
        imageStd = imageStd.clone();
        anchorSizes = anchorSizes.clone();
        aspectRatios = aspectRatios.clone();
        maskLayers = maskLayers.clone();
    }

    /** torchvision's {@code maskrcnn_resnet50_fpn} without pretrained weights (91 COCO classes). */
    public static MaskRcnnConfig torchvision() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    public Builder toBuilder() {
        Builder b = new Builder();
        b.numClasses = numClasses;
        b.body = body;
        b.norm = norm;
        b.trainableBackboneLayers = trainableBackboneLayers;
        b.fpnChannels = fpnChannels;
        b.minSize = minSize;
        b.maxSize = maxSize;
        b.imageMean = imageMean;
        b.imageStd = imageStd;
        b.anchorSizes = anchorSizes;
        b.aspectRatios = aspectRatios;
        b.rpn = rpn;
        b.roiHeads = roiHeads;
        b.boxPoolSize = boxPoolSize;
        b.maskPoolSize = maskPoolSize;
        b.samplingRatio = samplingRatio;
        b.representationSize = representationSize;
        b.maskLayers = maskLayers;
        b.masks = masks;
        return b;
    }

    /** Collects settings; starts from torchvision's defaults. */
    public static final class Builder {
        private int numClasses = 91;
        private ResNet.Spec body = ResNet.Spec.torchvision(50);
        private NormKind norm = NormKind.BATCH_NORM;
        private int trainableBackboneLayers = 5;
        private int fpnChannels = 256;
        private long minSize = 800;
        private long maxSize = 1333;
        private float[] imageMean = RcnnTransform.IMAGENET_MEAN;
        private float[] imageStd = RcnnTransform.IMAGENET_STD;
        private double[] anchorSizes = {32, 64, 128, 256, 512};
        private double[] aspectRatios = {0.5, 1.0, 2.0};
        private RegionProposalNetwork.Settings rpn = RegionProposalNetwork.Settings.defaults();
        private StandardRoIHeads.Settings roiHeads = StandardRoIHeads.Settings.defaults();
        private int boxPoolSize = 7;
        private int maskPoolSize = 14;
        private int samplingRatio = 2;
        private int representationSize = 1024;
        private int[] maskLayers = {256, 256, 256, 256};
        private boolean masks = true;

        public Builder numClasses(int v) {
            numClasses = v;
            return this;
        }

        /** torchvision's ResNet of depth 18, 34, 50 or 101. */
        public Builder depth(int v) {
            body = ResNet.Spec.torchvision(v);
            return this;
        }

        /** Any ResNet body, e.g. {@code ResNet.Spec.narrow(32, 1, 2, 2, 1)}. */
        public Builder body(ResNet.Spec v) {
            body = v;
            return this;
        }

        public Builder norm(NormKind v) {
            norm = v;
            return this;
        }

        public Builder trainableBackboneLayers(int v) {
            trainableBackboneLayers = v;
            return this;
        }

        public Builder fpnChannels(int v) {
            fpnChannels = v;
            return this;
        }

        public Builder minSize(long v) {
            minSize = v;
            return this;
        }

        public Builder maxSize(long v) {
            maxSize = v;
            return this;
        }

        public Builder imageMean(float... v) {
            imageMean = v;
            return this;
        }

        public Builder imageStd(float... v) {
            imageStd = v;
            return this;
        }

        public Builder anchorSizes(double... v) {
            anchorSizes = v;
            return this;
        }

        public Builder aspectRatios(double... v) {
            aspectRatios = v;
            return this;
        }

        public Builder rpn(RegionProposalNetwork.Settings v) {
            rpn = v;
            return this;
        }

        public Builder roiHeads(StandardRoIHeads.Settings v) {
            roiHeads = v;
            return this;
        }

        /** Shortcut for the RoI heads' score threshold (torchvision's {@code box_score_thresh}). */
        public Builder boxScoreThreshold(double v) {
            StandardRoIHeads.Settings s = roiHeads;
            roiHeads = new StandardRoIHeads.Settings(s.fgIouThreshold(), s.bgIouThreshold(), s.batchSizePerImage(),
                    s.positiveFraction(), v, s.nmsThreshold(), s.detectionsPerImage());
            return this;
        }

        public Builder boxPoolSize(int v) {
            boxPoolSize = v;
            return this;
        }

        public Builder maskPoolSize(int v) {
            maskPoolSize = v;
            return this;
        }

        public Builder samplingRatio(int v) {
            samplingRatio = v;
            return this;
        }

        public Builder representationSize(int v) {
            representationSize = v;
            return this;
        }

        public Builder maskLayers(int... v) {
            maskLayers = v;
            return this;
        }

        public Builder masks(boolean v) {
            masks = v;
            return this;
        }

        public MaskRcnnConfig build() {
            return new MaskRcnnConfig(numClasses, body, norm, trainableBackboneLayers, fpnChannels, minSize, maxSize,
                    imageMean, imageStd, anchorSizes, aspectRatios, rpn, roiHeads, boxPoolSize, maskPoolSize,
                    samplingRatio, representationSize, maskLayers, masks);
        }
    }
}
