package org.maskrcnn4j.io;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.Size;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;
import org.maskrcnn4j.tensor.DType;
import org.maskrcnn4j.tensor.HostTensor;
import org.maskrcnn4j.tensor.Shape;

/** Property: any set of tensors with arbitrary bytes, names and metadata survives a write and a read. */
class SafetensorsRoundTripProperties {
    private static Path dir;

    @BeforeContainer
    static void createDir() throws IOException {
        dir = Files.createTempDirectory("safetensors-props");
    }

    @AfterContainer
    static void deleteDir() throws IOException {
        try (var files = Files.list(dir)) {
            for (Path p : files.toList()) {
                Files.delete(p);
            }
        }
        Files.delete(dir);
    }

    @Property(tries = 200)
    void roundTrip(@ForAll("tensorSets") Map<String, HostTensor> tensors,
            @ForAll @Size(max = 4) Map<String, String> metadata) throws IOException {
        Path path = dir.resolve("prop.safetensors");
        SafetensorsWriter.write(path, tensors, metadata);
        try (SafetensorsFile file = SafetensorsFile.open(path)) {
            assertThat(file.names()).containsExactlyElementsOf(tensors.keySet());
            assertThat(file.metadata()).isEqualTo(metadata);
            for (Map.Entry<String, HostTensor> e : tensors.entrySet()) {
                SafetensorsRoundTripTest.assertSameTensor(file.get(e.getKey()), e.getValue());
            }
        }
    }

    @Provide
    Arbitrary<Map<String, HostTensor>> tensorSets() {
        Arbitrary<String> names = Arbitraries.strings().ofMinLength(0).ofMaxLength(12)
                .filter(n -> !n.equals("__metadata__"));
        return Arbitraries.maps(names, tensors()).ofMaxSize(6).map(LinkedHashMap::new);
    }

    private Arbitrary<HostTensor> tensors() {
        Arbitrary<DType> dtypes = Arbitraries.of(DType.class);
        Arbitrary<List<Long>> shapes = Arbitraries.longs().between(0, 4).list().ofMaxSize(4);
        return Combinators.combine(dtypes, shapes).flatAs((dtype, dims) -> {
            Shape shape = Shape.of(dims.stream().mapToLong(Long::longValue).toArray());
            int n = Math.toIntExact(shape.size() * dtype.byteSize());
            return Arbitraries.bytes().array(byte[].class).ofSize(n)
                    .map(bytes -> HostTensor.of(dtype, shape, ByteBuffer.wrap(bytes)));
        });
    }
}
