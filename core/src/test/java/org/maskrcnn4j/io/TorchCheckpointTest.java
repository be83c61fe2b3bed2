package org.maskrcnn4j.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.maskrcnn4j.tensor.DType;
import org.maskrcnn4j.tensor.HostTensor;
import org.maskrcnn4j.tensor.Shape;
import org.maskrcnn4j.testing.Fixtures;

/** Reads torch.save checkpoints: the shared fixtures in both formats, and hand-written pickles. */
class TorchCheckpointTest {
    private static final String REFERENCE = "mask_predictor_state.safetensors";

    @TempDir
    Path tmp;

    // ------------------------------------------------------------------------------------ fixtures

    @ParameterizedTest
    @ValueSource(strings = {"mask_predictor_state.pth", "mask_predictor_state_legacy.pth"})
    void fixtureMatchesSafetensorsBitForBit(String fileName) throws IOException {
        SafetensorsFile reference = Fixtures.open(REFERENCE);
        Map<String, HostTensor> read = TorchCheckpoint.read(Fixtures.file(fileName));

        assertThat(read).hasSize(4);
        assertThat(read.keySet()).containsExactlyElementsOf(reference.names());
        for (String name : reference.names()) {
            HostTensor expected = reference.get(name);
            HostTensor actual = read.get(name);
            assertThat(actual.dtype()).as(name).isEqualTo(DType.FLOAT32);
            assertThat(actual.shape()).as(name).isEqualTo(expected.shape());
            assertThat(bytes(actual)).as(name).isEqualTo(bytes(expected));
        }
        assertThat(read.get("roi_heads.mask_predictor.conv5_mask.weight").shape())
                .isEqualTo(Shape.of(256, 256, 2, 2));
        assertThat(read.get("roi_heads.mask_predictor.mask_fcn_logits.bias").shape()).isEqualTo(Shape.of(91));
    }

    @Test
    void resultIsUnmodifiable() throws IOException {
        Map<String, HostTensor> read = TorchCheckpoint.read(Fixtures.file("mask_predictor_state.pth"));
        assertThatThrownBy(() -> read.remove("x")).isInstanceOf(UnsupportedOperationException.class);
    }

    // ------------------------------------------------------------------------------ refused globals

    @Test
    void forbiddenGlobalIsRefusedInZip() throws IOException {
        // os.system('ls'), as a hostile data.pkl would call it
        byte[] pkl = new Pickle().proto(2).global("os", "system").str("ls").op(0x85).op('R').stop();
        Path file = zip("evil", pkl, Map.of());

        assertThatThrownBy(() -> TorchCheckpoint.read(file))
                .isInstanceOf(TorchCheckpoint.FormatException.class)
                .hasMessageContaining(file.toString())
                .hasMessageContaining("evil/data.pkl")
                .hasMessageContaining("refusing pickle global 'os.system'");
    }

    @Test
    void forbiddenStackGlobalIsRefused() throws IOException {
        byte[] pkl = new Pickle().proto(4).shortStr("builtins").op(0x94).shortStr("eval").op(0x94).op(0x93)
                .shortStr("print(1)").op(0x85).op('R').stop();
        Path file = zip("evil", pkl, Map.of());

        assertThatThrownBy(() -> TorchCheckpoint.read(file))
                .isInstanceOf(TorchCheckpoint.FormatException.class)
                .hasMessageContaining("refusing pickle global 'builtins.eval'");
    }

    @ParameterizedTest
    @ValueSource(strings = {"torch.storage _load_from_bytes", "torch CharStorage", "torch._utils _rebuild_tensor",
        "numpy.core.multiarray _reconstruct", "torch.nn.modules.conv Conv2d", "torch.cuda FloatStorage"})
    void otherGlobalsAreRefused(String global) throws IOException {
        String[] parts = global.split(" ");
        byte[] pkl = new Pickle().proto(2).global(parts[0], parts[1]).op(')').op('R').stop();
        Path file = zip("archive", pkl, Map.of());

        assertThatThrownBy(() -> TorchCheckpoint.read(file))
                .isInstanceOf(TorchCheckpoint.FormatException.class)
                .hasMessageContaining("refusing pickle global '" + parts[0] + "." + parts[1] + "'");
    }

    @Test
    void forbiddenGlobalIsRefusedInLegacyFile() throws IOException {
        byte[] pkl = new Pickle().proto(2).global("subprocess", "Popen").str("ls").op(0x85).op('R').stop();
        Path file = legacy(pkl, new Pickle().proto(2).op(']').stop(), new byte[0]);

        assertThatThrownBy(() -> TorchCheckpoint.read(file))
                .isInstanceOf(TorchCheckpoint.FormatException.class)
                .hasMessageContaining(file.toString())
                .hasMessageContaining("state dict pickle")
                .hasMessageContaining("refusing pickle global 'subprocess.Popen'");
    }

    // ---------------------------------------------------------------------------- damaged files

    @ParameterizedTest
    @ValueSource(longs = {200, 600, 760, 2000, 1_000_000, -8})
    void truncatedLegacyFileGivesClearError(long keep) throws IOException {
        Path fixture = Fixtures.file("mask_predictor_state_legacy.pth");
        byte[] all = Files.readAllBytes(fixture);
        Path cut = tmp.resolve("cut.pth");
        Files.write(cut, Arrays.copyOf(all, (int) (keep < 0 ? all.length + keep : keep)));

        assertThatThrownBy(() -> TorchCheckpoint.read(cut))
                .isInstanceOf(TorchCheckpoint.FormatException.class)
                .hasMessageContaining(cut.toString())
                .hasMessageContaining("truncated");
    }

    @Test
    void truncatedLegacyStorageNamesTheStorage() throws IOException {
        byte[] all = Files.readAllBytes(Fixtures.file("mask_predictor_state_legacy.pth"));
        Path cut = tmp.resolve("cut.pth");
        Files.write(cut, Arrays.copyOf(all, all.length - 8));

        assertThatThrownBy(() -> TorchCheckpoint.read(cut))
                .hasMessageMatching("(?s).*truncated: the data of storage '\\d+' needs \\d+ bytes.*");
    }

    @ParameterizedTest
    @ValueSource(ints = {100, 600_000, -10})
    void truncatedZipFileGivesClearError(int keep) throws IOException {
        byte[] all = Files.readAllBytes(Fixtures.file("mask_predictor_state.pth"));
        Path cut = tmp.resolve("cut.pth");
        Files.write(cut, Arrays.copyOf(all, keep < 0 ? all.length + keep : keep));

        assertThatThrownBy(() -> TorchCheckpoint.read(cut))
                .isInstanceOf(TorchCheckpoint.FormatException.class)
                .hasMessageContaining(cut.toString())
                .hasMessageContaining("truncated or damaged");
    }

    @Test
    void otherFilesAreNotCheckpoints() throws IOException {
        Path text = tmp.resolve("notes.pth");
        Files.writeString(text, "hello, this is not a checkpoint\n");
        assertThatThrownBy(() -> TorchCheckpoint.read(text))
                .isInstanceOf(TorchCheckpoint.FormatException.class)
                .hasMessageContaining(text + ": not a PyTorch checkpoint (no data.pkl in zip, and no legacy magic "
                        + "number");

        Path empty = tmp.resolve("empty.pth");
        Files.write(empty, new byte[0]);
        assertThatThrownBy(() -> TorchCheckpoint.read(empty)).hasMessageContaining("empty file");

        Path zipWithout = zip("x", null, Map.of("x/other.txt", new byte[3]));
        assertThatThrownBy(() -> TorchCheckpoint.read(zipWithout))
                .hasMessageContaining("not a PyTorch checkpoint: a zip archive without a <folder>/data.pkl");

        // a pickle that is not the magic number
        Path pickle = tmp.resolve("plain.pkl");
        Files.write(pickle, new Pickle().proto(2).op('}').stop());
        assertThatThrownBy(() -> TorchCheckpoint.read(pickle)).hasMessageContaining("no legacy magic number");
    }

    // ------------------------------------------------------------------------ strided tensors

    /** Storage "0": 12 float32 values 0..11; storage "1": 6 int64 values 100..105. */
    private static Map<String, byte[]> records(String prefix) {
        ByteBuffer f = ByteBuffer.allocate(48).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < 12; i++) {
            f.putFloat(i);
        }
        ByteBuffer l = ByteBuffer.allocate(48).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < 6; i++) {
            l.putLong(100 + i);
        }
        Map<String, byte[]> r = new LinkedHashMap<>();
        r.put(prefix + "data/0", f.array());
        r.put(prefix + "data/1", l.array());
        r.put(prefix + "version", "3\n".getBytes(StandardCharsets.US_ASCII));
        return r;
    }

    @Test
    void stridedAndOffsetTensorsComeOutContiguous() throws IOException {
        Pickle p = new Pickle().proto(2).global("collections", "OrderedDict").op(')').op('R').mark();
        p.str("transposed");
        p.tensor("FloatStorage", "0", 12, 0, new long[] {3, 2}, new long[] {1, 3}, null);
        p.str("offset_strided");
        p.tensor("FloatStorage", "0", 12, 7, new long[] {2}, new long[] {2}, null);
        p.str("offset_contiguous");
        p.tensor("FloatStorage", "0", 12, 8, new long[] {2, 2}, new long[] {2, 1}, null);
        p.str("permuted3d");
        p.tensor("FloatStorage", "0", 12, 0, new long[] {3, 2, 2}, new long[] {1, 6, 3}, null);
        p.str("expanded");
        p.tensor("FloatStorage", "0", 12, 4, new long[] {2, 3}, new long[] {0, 1}, null);
        p.str("scalar");
        p.tensor("FloatStorage", "0", 12, 5, new long[] {}, new long[] {}, null);
        p.str("empty");
        p.tensor("FloatStorage", "0", 12, 0, new long[] {0, 3}, new long[] {3, 1}, null);
        p.str("longs_transposed");
        p.tensor("LongStorage", "1", 6, 0, new long[] {3, 2}, new long[] {1, 3}, null);
        p.str("parameter");
        p.global("torch._utils", "_rebuild_parameter").mark();
        p.tensor("FloatStorage", "0", 12, 1, new long[] {2}, new long[] {5}, null);
        p.op(0x88).orderedDict().op('t').op('R');
        p.op('u');
        Path file = zip("strided", p.stop(), records("strided/"));

        Map<String, HostTensor> read = TorchCheckpoint.read(file);

        assertThat(read.keySet()).containsExactly("transposed", "offset_strided", "offset_contiguous", "permuted3d",
                "expanded", "scalar", "empty", "longs_transposed", "parameter");
        assertTensor(read.get("transposed"), new float[] {0, 3, 1, 4, 2, 5}, 3, 2);
        assertTensor(read.get("offset_strided"), new float[] {7, 9}, 2);
        assertTensor(read.get("offset_contiguous"), new float[] {8, 9, 10, 11}, 2, 2);
        float[] permuted = new float[12];
        int n = 0;
        for (int i = 0; i < 3; i++) {
            for (int j = 0; j < 2; j++) {
                for (int k = 0; k < 2; k++) {
                    permuted[n++] = i + 6 * j + 3 * k;
                }
            }
        }
        assertTensor(read.get("permuted3d"), permuted, 3, 2, 2);
        assertTensor(read.get("expanded"), new float[] {4, 5, 6, 4, 5, 6}, 2, 3);
        assertTensor(read.get("scalar"), new float[] {5});
        assertTensor(read.get("empty"), new float[0], 0, 3);
        assertThat(read.get("longs_transposed").dtype()).isEqualTo(DType.INT64);
        assertThat(read.get("longs_transposed").shape()).isEqualTo(Shape.of(3, 2));
        assertThat(read.get("longs_transposed").toLongArray()).containsExactly(100, 103, 101, 104, 102, 105);
        assertTensor(read.get("parameter"), new float[] {1, 6}, 2);
    }

    @Test
    void protocolFourPickleWithFramesAndMemoizeReads() throws IOException {
        Pickle p = new Pickle().proto(4).frame().shortStr("collections").op(0x94).shortStr("OrderedDict")
                .op(0x94).op(0x93).op(0x94).op(')').op('R').op(0x94).mark();
        p.shortStr("w").op(0x94);
        p.shortStr("torch._utils").shortStr("_rebuild_tensor_v2").op(0x93).op(0x94).mark();
        p.mark().shortStr("storage").shortStr("torch").shortStr("FloatStorage").op(0x93).shortStr("0")
                .shortStr("cpu").integer(12).op('t').op('Q');
        p.integer(2).integer(2).op(0x85).integer(3).op(0x85).op(0x89).orderedDict().op('t').op('R');
        p.op('u');
        Path file = zip("p4", p.stop(), records("p4/"));

        assertTensor(TorchCheckpoint.read(file).get("w"), new float[] {2, 5}, 2);
    }

    @Test
    void bigEndianZipIsSwapped() throws IOException {
        Map<String, byte[]> r = new LinkedHashMap<>();
        r.put("be/data/0", ByteBuffer.allocate(8).order(ByteOrder.BIG_ENDIAN).putFloat(1.5f).putFloat(-2f).array());
        r.put("be/byteorder", "big".getBytes(StandardCharsets.US_ASCII));
        Pickle p = new Pickle().proto(2).op('}').str("w")
                .tensor("FloatStorage", "0", 2, 0, new long[] {2}, new long[] {1}, null).op('s');
        assertTensor(TorchCheckpoint.read(zip("be", p.stop(), r)).get("w"), new float[] {1.5f, -2f}, 2);
    }

    @Test
    void tensorOutsideItsStorageIsAnError() throws IOException {
        Pickle p = new Pickle().proto(2).op('}').str("too_far")
                .tensor("FloatStorage", "0", 12, 10, new long[] {2, 2}, new long[] {1, 1}, null).op('s');
        Path file = zip("oob", p.stop(), records("oob/"));

        assertThatThrownBy(() -> TorchCheckpoint.read(file))
                .isInstanceOf(TorchCheckpoint.FormatException.class)
                .hasMessageContaining("tensor 'too_far'")
                .hasMessageContaining("reaches element 12 of a storage of 12 elements");
    }

    @Test
    void missingStorageRecordIsAnError() throws IOException {
        Pickle p = new Pickle().proto(2).op('}').str("w")
                .tensor("FloatStorage", "7", 12, 0, new long[] {12}, new long[] {1}, null).op('s');
        Path file = zip("m", p.stop(), records("m/"));

        assertThatThrownBy(() -> TorchCheckpoint.read(file))
                .hasMessageContaining("storage '7' has no record m/data/7");
    }

    // ------------------------------------------------------------------------ dict shapes

    @Test
    void metadataAttributeSetByBuildIsSkipped() throws IOException {
        Pickle p = new Pickle().proto(2).orderedDict().mark();
        p.str("w").tensor("FloatStorage", "0", 12, 0, new long[] {2}, new long[] {1}, null);
        p.op('u');
        // state = {'_metadata': OrderedDict([('', {'version': 1})])}
        p.op('}').str("_metadata").orderedDict().str("").op('}').str("version").integer(1).op('s').op('s')
                .op('s').op('b');
        Map<String, HostTensor> read = TorchCheckpoint.read(zip("meta", p.stop(), records("meta/")));

        assertThat(read.keySet()).containsExactly("w");
        assertTensor(read.get("w"), new float[] {0, 1}, 2);
    }

    @ParameterizedTest
    @ValueSource(strings = {"state_dict", "model"})
    void nestedStateDictIsUsed(String key) throws IOException {
        Pickle p = new Pickle().proto(2).op('}').mark();
        p.str("epoch").integer(12);
        p.str("best_acc").op('G').raw(ByteBuffer.allocate(8).putDouble(0.75).array());
        p.str(key).orderedDict().mark();
        p.str("a.weight").tensor("FloatStorage", "0", 12, 0, new long[] {2, 2}, new long[] {2, 1}, null);
        p.str("a.bias").tensor("FloatStorage", "0", 12, 4, new long[] {2}, new long[] {1}, null);
        p.op('u');
        p.str("optimizer").op('}').str("lr").op('G').raw(ByteBuffer.allocate(8).putDouble(0.1).array()).op('s');
        p.op('u');
        Map<String, HostTensor> read = TorchCheckpoint.read(zip("nested", p.stop(), records("nested/")));

        assertThat(read.keySet()).containsExactly("a.weight", "a.bias");
        assertTensor(read.get("a.bias"), new float[] {4, 5}, 2);
    }

    @Test
    void nonTensorEntryIsNamed() throws IOException {
        Pickle p = new Pickle().proto(2).orderedDict().mark();
        p.str("w").tensor("FloatStorage", "0", 12, 0, new long[] {2}, new long[] {1}, null);
        p.str("step").integer(5);
        p.op('u');
        Path file = zip("bad", p.stop(), records("bad/"));

        assertThatThrownBy(() -> TorchCheckpoint.read(file))
                .isInstanceOf(TorchCheckpoint.FormatException.class)
                .hasMessageContaining(file + ": entry ['step'] is an int, not a tensor");
    }

    @Test
    void nonTensorEntryInNestedStateDictIsNamed() throws IOException {
        Pickle p = new Pickle().proto(2).op('}').str("model").op('}').str("w").str("oops").op('s').op('s');
        Path file = zip("bad", p.stop(), Map.of());

        assertThatThrownBy(() -> TorchCheckpoint.read(file))
                .hasMessageContaining("entry ['model']['w'] is a str, not a tensor");
    }

    @Test
    void singleTensorIsNotAStateDict() throws IOException {
        Pickle p = new Pickle().proto(2).tensor("FloatStorage", "0", 12, 0, new long[] {2}, new long[] {1}, null);
        Path file = zip("t", p.stop(), records("t/"));

        assertThatThrownBy(() -> TorchCheckpoint.read(file)).hasMessageContaining("holds a single tensor");
    }

    // --------------------------------------------------------------------------- legacy format

    @Test
    void craftedLegacyFileWithStorageViewReads() throws IOException {
        Pickle p = new Pickle().proto(2).orderedDict().mark();
        // a tensor on view 'v' = elements [4, 10) of root storage 'r' (10 floats)
        p.str("viewed").global("torch._utils", "_rebuild_tensor_v2").mark();
        p.mark().str("storage").global("torch", "FloatStorage").str("r").str("cuda:0").integer(10)
                .str("v").integer(4).integer(6).op(0x87).op('t').op('Q');
        p.integer(1).integer(2).integer(2).op(0x86).integer(1).integer(2).op(0x86).op(0x89).orderedDict()
                .op('t').op('R');
        p.str("whole").global("torch._utils", "_rebuild_tensor_v2").mark();
        p.mark().str("storage").global("torch", "FloatStorage").str("r").str("cuda:0").integer(10).op('N')
                .op('t').op('Q');
        p.integer(0).integer(10).op(0x85).integer(1).op(0x85).op(0x89).orderedDict().op('t').op('R');
        p.op('u');
        ByteBuffer data = ByteBuffer.allocate(8 + 40).order(ByteOrder.LITTLE_ENDIAN).putLong(10);
        for (int i = 0; i < 10; i++) {
            data.putFloat(i * 10);
        }
        Path file = legacy(p.stop(), new Pickle().proto(2).op(']').str("r").op('a').stop(), data.array());

        Map<String, HostTensor> read = TorchCheckpoint.read(file);
        // view elements 4..9 = 40..90; offset 1, size (2,2), stride (1,2) → [[50,70],[60,80]]
        assertTensor(read.get("viewed"), new float[] {50, 70, 60, 80}, 2, 2);
        assertTensor(read.get("whole"), new float[] {0, 10, 20, 30, 40, 50, 60, 70, 80, 90}, 10);
    }

    @Test
    void legacyElementCountMismatchIsAnError() throws IOException {
        Pickle p = new Pickle().proto(2).op('}').str("w");
        p.global("torch._utils", "_rebuild_tensor_v2").mark();
        p.mark().str("storage").global("torch", "FloatStorage").str("r").str("cpu").integer(2).op('N').op('t')
                .op('Q');
        p.integer(0).integer(2).op(0x85).integer(1).op(0x85).op(0x89).orderedDict().op('t').op('R').op('s');
        byte[] data = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(3).array();
        Path file = legacy(p.stop(), new Pickle().proto(2).op(']').str("r").op('a').stop(), data);

        assertThatThrownBy(() -> TorchCheckpoint.read(file))
                .hasMessageContaining("storage 'r' holds 3 elements in the file but the pickle says 2");
    }

    // ---------------------------------------------------------------------------------- helpers

    private static byte[] bytes(HostTensor t) {
        ByteBuffer b = t.bytes();
        byte[] a = new byte[b.remaining()];
        b.get(a);
        return a;
    }

    private static void assertTensor(HostTensor t, float[] values, long... shape) {
        assertThat(t.dtype()).isEqualTo(DType.FLOAT32);
        assertThat(t.shape()).isEqualTo(Shape.of(shape));
        assertThat(t.toFloatArray()).containsExactly(values);
    }

    /** A zip checkpoint: {@code <archive>/data.pkl} (unless null) followed by {@code records}. */
    private Path zip(String archive, byte[] pkl, Map<String, byte[]> records) throws IOException {
        Path file = Files.createTempFile(tmp, archive, ".pth");
        try (OutputStream out = Files.newOutputStream(file); ZipOutputStream z = new ZipOutputStream(out)) {
            if (pkl != null) {
                z.putNextEntry(new ZipEntry(archive + "/data.pkl"));
                z.write(pkl);
                z.closeEntry();
            }
            for (Map.Entry<String, byte[]> e : records.entrySet()) {
                z.putNextEntry(new ZipEntry(e.getKey()));
                z.write(e.getValue());
                z.closeEntry();
            }
        }
        return file;
    }

    /** A legacy checkpoint: magic number, protocol version, sys info, the pickle, the key list, then data. */
    private Path legacy(byte[] pkl, byte[] keys, byte[] data) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.write(new Pickle().proto(2).long1(new BigInteger("1950a86a20f9469cfc6c", 16)).stop());
        b.write(new Pickle().proto(2).integer(1001).stop());
        b.write(new Pickle().proto(2).op('}').mark().str("protocol_version").integer(1001).str("little_endian")
                .op(0x88).op('u').stop());
        b.write(pkl);
        b.write(keys);
        b.write(data);
        Path file = Files.createTempFile(tmp, "legacy", ".pth");
        Files.write(file, b.toByteArray());
        return file;
    }

    /** Writes pickle opcodes by hand, as Python's pickler would for a state dict. */
    private static final class Pickle {
        private final ByteArrayOutputStream b = new ByteArrayOutputStream();

        Pickle op(int opcode) {
            b.write(opcode);
            return this;
        }

        Pickle raw(byte[] bytes) {
            b.writeBytes(bytes);
            return this;
        }

        Pickle proto(int protocol) {
            return op(0x80).op(protocol);
        }

        /** A protocol 4 FRAME opcode; its length is only a hint, so 0 is written. */
        Pickle frame() {
            op(0x95);
            return raw(new byte[8]);
        }

        Pickle mark() {
            return op('(');
        }

        Pickle str(String s) {
            byte[] u = s.getBytes(StandardCharsets.UTF_8);
            op('X');
            raw(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(u.length).array());
            return raw(u);
        }

        Pickle shortStr(String s) {
            byte[] u = s.getBytes(StandardCharsets.UTF_8);
            return op(0x8c).op(u.length).raw(u);
        }

        Pickle integer(long v) {
            if (v >= 0 && v < 256) {
                return op('K').op((int) v);
            }
            if (v >= 0 && v < 65536) {
                return op('M').op((int) (v & 0xff)).op((int) (v >> 8));
            }
            op('J');
            return raw(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(Math.toIntExact(v)).array());
        }

        Pickle long1(BigInteger v) {
            byte[] be = v.toByteArray();
            op(0x8a).op(be.length);
            for (int i = be.length - 1; i >= 0; i--) {
                op(be[i] & 0xff);
            }
            return this;
        }

        Pickle global(String module, String name) {
            op('c');
            return raw((module + "\n" + name + "\n").getBytes(StandardCharsets.UTF_8));
        }

        Pickle orderedDict() {
            return global("collections", "OrderedDict").op(')').op('R');
        }

        /** {@code _rebuild_tensor_v2(storage, offset, size, stride, False, OrderedDict())}, zip-format pid. */
        Pickle tensor(String storageType, String key, long numel, long offset, long[] size, long[] stride,
                String location) {
            global("torch._utils", "_rebuild_tensor_v2").mark();
            mark().str("storage").global("torch", storageType).str(key).str(location == null ? "cpu" : location)
                    .integer(numel).op('t').op('Q');
            integer(offset);
            tuple(size);
            tuple(stride);
            return op(0x89).orderedDict().op('t').op('R');
        }

        Pickle tuple(long[] values) {
            mark();
            for (long v : values) {
                integer(v);
            }
            return op('t');
        }

        byte[] stop() {
            op('.');
            return b.toByteArray();
        }
    }
}
