package org.maskrcnn4j.backend.tf;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.tensorflow.proto.AllocationRecord;
import org.tensorflow.proto.AllocatorMemoryUsed;
import org.tensorflow.proto.DeviceStepStats;
import org.tensorflow.proto.NodeExecStats;
import org.tensorflow.proto.RunMetadata;

/**
 * The memory part of the {@code -Dmaskrcnn4j.tf.profile=true} report: from a traced run's allocation records,
 * the most bytes live at once and the nodes whose tensors made them up at that moment, grouped by op type
 * (gradient ops apart) and the largest single nodes. Tells which tensors a train step keeps for its backward
 * pass, which is what its peak memory is made of.
 */
final class TfPeakMemory {
    private TfPeakMemory() {
    }

    static String report(RunMetadata metadata, int topNodes) {
        List<long[]> events = new ArrayList<>(); // {micros, bytes (negative: freed), node}
        List<String> nodes = new ArrayList<>();
        for (DeviceStepStats dev : metadata.getStepStats().getDevStatsList()) {
            for (NodeExecStats n : dev.getNodeStatsList()) {
                int id = nodes.size();
                String shape = n.getOutputCount() == 0 ? "" : " " + n.getOutput(0).getTensorDescription().getShape()
                        .getDimList().stream().map(d -> Long.toString(d.getSize())).toList();
                nodes.add(n.getNodeName() + shape);
                for (AllocatorMemoryUsed m : n.getMemoryList()) {
                    for (AllocationRecord r : m.getAllocationRecordsList()) {
                        events.add(new long[] {r.getAllocMicros(), r.getAllocBytes(), id});
                    }
                }
            }
        }
        events.sort(Comparator.comparingLong(e -> e[0]));
        long live = 0;
        long peak = 0;
        int peakAt = -1;
        for (int i = 0; i < events.size(); i++) {
            live += events.get(i)[1];
            if (live > peak) {
                peak = live;
                peakAt = i;
            }
        }
        Map<Integer, Long> byNode = new HashMap<>();
        for (int i = 0; i <= peakAt; i++) {
            byNode.merge((int) events.get(i)[2], events.get(i)[1], Long::sum);
        }
        Map<String, Long> byType = new HashMap<>();
        byNode.forEach((id, bytes) -> byType.merge(typeOf(nodes.get(id)), bytes, Long::sum));
        StringBuilder b = new StringBuilder(String.format("tensorflow peak live memory: %.1f MB (%.1f MB at the end)%n",
                peak / 1e6, live / 1e6));
        byType.entrySet().stream().filter(e -> e.getValue() >= 1_000_000)
                .sorted(Map.Entry.<String, Long>comparingByValue().reversed())
                .forEach(e -> b.append(String.format("  %-40s %8.1f MB%n", e.getKey(), e.getValue() / 1e6)));
        byNode.entrySet().stream().sorted(Map.Entry.<Integer, Long>comparingByValue().reversed()).limit(topNodes)
                .forEach(e -> b.append(String.format("    %8.1f MB  %s%n", e.getValue() / 1e6, nodes.get(e.getKey()))));
        return b.toString();
    }

    /** {@code scope/gradients/Conv2DBackpropInput_6 [..]} -> {@code gradients: Conv2DBackpropInput}. */
    private static String typeOf(String node) {
        String name = node.replaceAll(" .*", "");
        String type = name.substring(name.lastIndexOf('/') + 1).replaceAll("_[0-9]+$", "");
        return (name.contains("/gradients/") ? "gradients: " : "") + type;
    }
}
