package org.maskrcnn4j.io;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Enumeration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;
import org.maskrcnn4j.io.Unpickler.PyDict;
import org.maskrcnn4j.io.Unpickler.StorageType;
import org.maskrcnn4j.io.Unpickler.Tuple;
import org.maskrcnn4j.tensor.DType;
import org.maskrcnn4j.tensor.HostTensor;
import org.maskrcnn4j.tensor.Shape;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads a PyTorch state dict written by {@code torch.save(model.state_dict(), path)}, without Python and
 * without running any of the file's pickled code.
 *
 * <p>Both serialization formats are read: the zip format of torch 1.6 and later ({@code <archive>/data.pkl}
 * plus one {@code <archive>/data/<key>} record per storage, whatever the top folder is called), and the
 * legacy format of earlier versions (magic number, protocol version and system info pickles, the state
 * dict pickle, the list of storage keys, then each storage's bytes after an 8-byte little-endian element
 * count). The pickles are read by a minimal unpickler that refuses every global except
 * {@code collections.OrderedDict}, {@code torch._utils._rebuild_tensor_v2},
 * {@code torch._utils._rebuild_parameter} (a parameter becomes its tensor) and the {@code torch.*Storage}
 * types of float32, float64, float16, bfloat16, int64, int32, uint8 and bool; anything else (a pickled
 * module, numpy arrays, {@code os.system}, ...) fails with an error naming the file and the global.
 *
 * <p>Tensors may be views (storage offset, any non-negative strides, shared storages); each comes out as
 * a contiguous row-major {@link HostTensor} holding a copy of its elements. The top-level object must be a
 * dict of name to tensor, or a dict whose {@code 'state_dict'} or {@code 'model'} entry is one (as in many
 * published training checkpoints; the other entries are then ignored). A state dict's {@code _metadata}
 * (an attribute of the {@code OrderedDict}, not an entry) is ignored; any entry that is not a tensor is an
 * error naming its key.
 */
public final class TorchCheckpoint {
    private static final Logger LOG = LoggerFactory.getLogger(TorchCheckpoint.class);

    /** {@code torch.serialization.MAGIC_NUMBER}, the first pickle of a legacy file. */
    static final BigInteger LEGACY_MAGIC = new BigInteger("1950a86a20f9469cfc6c", 16);
    /** {@code torch.serialization.PROTOCOL_VERSION}, the second pickle of a legacy file. */
    static final long LEGACY_PROTOCOL_VERSION = 1001;

    private static final byte[] ZIP_MAGIC = {'P', 'K', 3, 4};
    private static final List<String> NESTED_KEYS = List.of("state_dict", "model");

    /** A file is not a readable PyTorch state dict; the message names the file and what was expected. */
    public static final class FormatException extends IOException {
        private static final long serialVersionUID = 1L;

        public FormatException(String message) {
            super(message);
        }

        public FormatException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    private TorchCheckpoint() {
    }

    /**
     * Reads every tensor of the state dict in {@code pth}, in the file's order. Fails with a
     * {@link FormatException} naming the file if it is not a {@code torch.save} checkpoint, is truncated or
     * damaged, names a global other than the few a state dict needs, or holds something other than tensors
     * where the state dict's values should be.
     */
    public static Map<String, HostTensor> read(Path pth) throws IOException {
        String source = pth.toString();
        long size = Files.size(pth);
        byte[] head = new byte[(int) Math.min(size, 512)];
        try (InputStream in = Files.newInputStream(pth)) {
            int n = in.readNBytes(head, 0, head.length);
            if (n < head.length) {
                throw new FormatException(source + ": file ended while reading its first bytes");
            }
        }
        if (size == 0) {
            throw new FormatException(source + ": empty file; not a PyTorch checkpoint");
        }
        Map<String, HostTensor> tensors;
        if (startsWith(head, ZIP_MAGIC)) {
            tensors = readZip(pth, source);
        } else if (head.length >= 262 && head[0] != (byte) 0x80
                && new String(head, 257, 5, StandardCharsets.ISO_8859_1).equals("ustar")) {
            throw new FormatException(source + ": a tar archive, the serialization format of torch before 0.4, "
                    + "which is not supported; load and re-save it with a newer torch");
        } else {
            tensors = readLegacy(pth, source, size);
        }
        LOG.debug("read {} tensors from {}", tensors.size(), pth);
        return tensors;
    }

    // ---------------------------------------------------------------------------------------------- zip

    private static Map<String, HostTensor> readZip(Path pth, String source) throws IOException {
        ZipFile zip;
        try {
            zip = new ZipFile(pth.toFile());
        } catch (ZipException e) {
            throw new FormatException(source + ": starts like a zip archive (torch >= 1.6 format) but cannot be "
                    + "read as one; is it truncated or damaged? (" + e.getMessage() + ")", e);
        }
        try (zip) {
            String prefix = archivePrefix(zip, source);
            if (zip.getEntry(prefix + "constants.pkl") != null) {
                throw new FormatException(source + ": a TorchScript archive (torch.jit.save), not a state dict; "
                        + "save model.state_dict() with torch.save instead");
            }
            boolean bigEndian = false;
            ZipEntry order = zip.getEntry(prefix + "byteorder");
            if (order != null) {
                String value;
                try (InputStream in = zip.getInputStream(order)) {
                    value = new String(in.readNBytes(16), StandardCharsets.US_ASCII).trim();
                }
                if (!value.equals("little") && !value.equals("big")) {
                    throw new FormatException(source + ": record " + order.getName() + " says '" + value
                            + "', expected 'little' or 'big'");
                }
                bigEndian = value.equals("big");
            }
            String pklName = prefix + "data.pkl";
            ZipEntry pkl = zip.getEntry(pklName);
            String where = source + " (" + pklName + ")";
            Map<String, Storage> storages = new HashMap<>();
            Unpickler.Hooks hooks = new Unpickler.Hooks() {
                @Override
                public Object persistentLoad(Object pid) throws IOException {
                    return zipStorage(zip, prefix, where, storages, pid);
                }

                @Override
                public Object rebuildTensor(Tuple args) throws IOException {
                    return pendingTensor(where, args);
                }
            };
            Object result;
            try (InputStream in = new BufferedInputStream(zip.getInputStream(pkl), 1 << 16)) {
                result = Unpickler.load(new Unpickler.Input(in, 0, pkl.getSize() < 0 ? Long.MAX_VALUE
                        : pkl.getSize()), where, hooks);
            } catch (ZipException e) {
                throw new FormatException(where + ": cannot read the record (damaged archive?): " + e.getMessage(),
                        e);
            }
            return stateDict(source, result, bigEndian);
        }
    }

    /** The {@code <archive>/} folder holding {@code data.pkl} (torch names it after the file when saving). */
    private static String archivePrefix(ZipFile zip, String source) throws IOException {
        List<String> found = new ArrayList<>();
        String first = null;
        for (Enumeration<? extends ZipEntry> e = zip.entries(); e.hasMoreElements();) {
            String name = e.nextElement().getName();
            if (first == null) {
                first = name;
            }
            int slash = name.indexOf('/');
            if (name.equals("data.pkl") || slash >= 0 && slash == name.lastIndexOf('/')
                    && name.substring(slash + 1).equals("data.pkl")) {
                found.add(name.substring(0, name.length() - "data.pkl".length()));
            }
        }
        if (found.isEmpty()) {
            throw new FormatException(source + ": not a PyTorch checkpoint: a zip archive without a "
                    + "<folder>/data.pkl record (torch.save writes one)");
        }
        if (found.size() > 1) {
            // torch reads the archive named by the first record
            String top = first.indexOf('/') >= 0 ? first.substring(0, first.indexOf('/') + 1) : "";
            if (found.contains(top)) {
                return top;
            }
            throw new FormatException(source + ": zip archive holds several data.pkl records " + found
                    + "; expected one");
        }
        return found.get(0);
    }

    private static Slice zipStorage(ZipFile zip, String prefix, String where, Map<String, Storage> storages,
            Object pid) throws IOException {
        // ('storage', storage_type, key, location, numel)
        if (!(pid instanceof Tuple t) || t.size() != 5 || !"storage".equals(t.get(0))) {
            throw new FormatException(where + ": persistent id " + describePid(pid)
                    + ", expected ('storage', storage type, key, location, numel)");
        }
        StorageType type = storageType(where, t.get(1));
        String key = storageKey(where, t.get(2));
        long numel = nonNegative(where, t.get(4), "element count of storage '" + key + "'");
        Storage s = storages.get(key);
        if (s == null) {
            String name = prefix + "data/" + key;
            ZipEntry entry = zip.getEntry(name);
            if (entry == null) {
                throw new FormatException(where + ": storage '" + key + "' has no record " + name
                        + " in the archive");
            }
            s = new Storage(key, type.dtype(), numel);
            long bytes = s.byteCount(where);
            if (entry.getSize() >= 0 && entry.getSize() < bytes) {
                throw new FormatException(where + ": record " + name + " holds " + entry.getSize()
                        + " bytes but storage '" + key + "' needs " + bytes + " (" + numel + " x "
                        + type.name() + ")");
            }
            try (InputStream in = zip.getInputStream(entry)) {
                s.data = in.readNBytes((int) bytes);
            } catch (ZipException e) {
                throw new FormatException(where + ": cannot read record " + name + " (damaged archive?): "
                        + e.getMessage(), e);
            }
            if (s.data.length != bytes) {
                throw new FormatException(where + ": record " + name + " ends after " + s.data.length
                        + " bytes but storage '" + key + "' needs " + bytes);
            }
            storages.put(key, s);
        } else {
            s.checkSame(where, type.dtype(), numel);
        }
        return new Slice(s, 0, s.numel);
    }

    // ------------------------------------------------------------------------------------------- legacy

    private static Map<String, HostTensor> readLegacy(Path pth, String source, long size) throws IOException {
        try (InputStream raw = new BufferedInputStream(Files.newInputStream(pth), 1 << 16)) {
            Unpickler.Input in = new Unpickler.Input(raw, 0, size);
            Object magic;
            try {
                magic = Unpickler.load(in, source + " (magic number pickle)", null);
            } catch (FormatException e) {
                throw new FormatException(source + ": not a PyTorch checkpoint (no data.pkl in zip, and no "
                        + "legacy magic number: " + e.getMessage() + ")", e);
            }
            if (!LEGACY_MAGIC.equals(magic)) {
                throw new FormatException(source + ": not a PyTorch checkpoint (no data.pkl in zip, and no "
                        + "legacy magic number)");
            }
            Object version = Unpickler.load(in, source + " (protocol version pickle)", null);
            if (!Long.valueOf(LEGACY_PROTOCOL_VERSION).equals(version)) {
                throw new FormatException(source + ": legacy checkpoint with protocol version "
                        + (version instanceof Long || version instanceof BigInteger ? version
                                : Unpickler.typeName(version)) + ", expected " + LEGACY_PROTOCOL_VERSION);
            }
            Object sysInfo = Unpickler.load(in, source + " (system info pickle)", null);
            if (sysInfo instanceof PyDict d && Boolean.FALSE.equals(d.items.get("little_endian"))) {
                throw new FormatException(source + ": legacy checkpoint saved on a big-endian machine, "
                        + "which is not supported");
            }

            String where = source + " (state dict pickle)";
            Map<String, Storage> storages = new HashMap<>();
            Map<String, Slice> views = new HashMap<>();
            Unpickler.Hooks hooks = new Unpickler.Hooks() {
                @Override
                public Object persistentLoad(Object pid) throws IOException {
                    return legacyStorage(where, storages, views, pid);
                }

                @Override
                public Object rebuildTensor(Tuple args) throws IOException {
                    return pendingTensor(where, args);
                }
            };
            Object result = Unpickler.load(in, where, hooks);

            String keysWhere = source + " (storage key list)";
            Object keys = Unpickler.load(in, keysWhere, null);
            if (!(keys instanceof List<?> list)) {
                throw new FormatException(keysWhere + ": expected a list of storage keys, found "
                        + Unpickler.typeName(keys));
            }
            for (Object k : list) {
                String key = storageKey(keysWhere, k);
                Storage s = storages.get(key);
                if (s == null) {
                    throw new FormatException(keysWhere + ": storage '" + key
                            + "' is not used by the state dict pickle");
                }
                if (s.data != null) {
                    throw new FormatException(keysWhere + ": storage '" + key + "' is listed twice");
                }
                String what = "the data of storage '" + key + "'";
                long count = in.readLongLE(source, "the element count of storage '" + key + "'");
                if (count != s.numel) {
                    throw new FormatException(source + ", byte " + (in.position() - 8) + ": storage '" + key
                            + "' holds " + count + " elements in the file but the pickle says " + s.numel);
                }
                s.data = in.readBytes(s.byteCount(source), source, what);
            }
            return stateDict(source, result, false);
        }
    }

    private static Slice legacyStorage(String where, Map<String, Storage> storages, Map<String, Slice> views,
            Object pid) throws IOException {
        // ('storage', storage_type, root_key, location, numel, view_metadata)
        if (pid instanceof Tuple t && t.size() > 0 && "module".equals(t.get(0))) {
            throw new FormatException(where + ": holds a pickled nn.Module (torch.save(model)), not a state dict; "
                    + "save model.state_dict() instead");
        }
        if (!(pid instanceof Tuple t) || t.size() != 6 || !"storage".equals(t.get(0))) {
            throw new FormatException(where + ": persistent id " + describePid(pid)
                    + ", expected ('storage', storage type, key, location, numel, view metadata)");
        }
        StorageType type = storageType(where, t.get(1));
        String key = storageKey(where, t.get(2));
        long numel = nonNegative(where, t.get(4), "element count of storage '" + key + "'");
        Storage root = storages.get(key);
        if (root == null) {
            root = new Storage(key, type.dtype(), numel);
            root.byteCount(where);
            storages.put(key, root);
        } else {
            root.checkSame(where, type.dtype(), numel);
        }
        Object view = t.get(5);
        if (view == null) {
            return new Slice(root, 0, root.numel);
        }
        // (view_key, offset, view_size), in elements of the root storage
        if (!(view instanceof Tuple v) || v.size() != 3) {
            throw new FormatException(where + ": view metadata of storage '" + key + "' is "
                    + Unpickler.typeName(view) + ", expected (view key, offset, size)");
        }
        String viewKey = storageKey(where, v.get(0));
        long offset = nonNegative(where, v.get(1), "offset of storage view '" + viewKey + "'");
        long viewSize = nonNegative(where, v.get(2), "size of storage view '" + viewKey + "'");
        Slice known = views.get(viewKey);
        if (known != null) {
            return known;
        }
        if (offset > root.numel || viewSize > root.numel - offset) {
            throw new FormatException(where + ": storage view '" + viewKey + "' of elements [" + offset + ", "
                    + offset + " + " + viewSize + ") lies outside storage '" + key + "' of " + root.numel
                    + " elements");
        }
        Slice slice = new Slice(root, offset, viewSize);
        views.put(viewKey, slice);
        return slice;
    }

    // ------------------------------------------------------------------------------------------ tensors

    /** A storage: its bytes are filled in when read (at once in a zip, after the pickle in a legacy file). */
    private static final class Storage {
        final String key;
        final DType dtype;
        final long numel;
        byte[] data;

        Storage(String key, DType dtype, long numel) {
            this.key = key;
            this.dtype = dtype;
            this.numel = numel;
        }

        long byteCount(String where) throws FormatException {
            if (numel > (Integer.MAX_VALUE - 16) / dtype.byteSize()) {
                throw new FormatException(where + ": storage '" + key + "' of " + numel + " " + dtype
                        + " elements is too large to read (at most 2 GiB per storage)");
            }
            return numel * dtype.byteSize();
        }

        void checkSame(String where, DType otherType, long otherNumel) throws FormatException {
            if (otherType != dtype || otherNumel != numel) {
                throw new FormatException(where + ": storage '" + key + "' is named as " + otherNumel + " x "
                        + otherType + " after " + numel + " x " + dtype);
            }
        }
    }

    /** Elements {@code [offset, offset + numel)} of a storage. */
    private record Slice(Storage root, long offset, long numel) {
    }

    /** A {@code _rebuild_tensor_v2} call, turned into a tensor once all storages are read. */
    private record PendingTensor(Slice storage, long offset, long[] size, long[] stride) {
    }

    private static PendingTensor pendingTensor(String where, Tuple args) throws IOException {
        // (storage, storage_offset, size, stride, requires_grad, backward_hooks[, metadata])
        if (args.size() != 6 && args.size() != 7) {
            throw new FormatException(where + ": _rebuild_tensor_v2 called with " + args.size()
                    + " arguments, expected 6 or 7");
        }
        if (!(args.get(0) instanceof Slice storage)) {
            throw new FormatException(where + ": _rebuild_tensor_v2 storage is " + Unpickler.typeName(args.get(0))
                    + ", expected a storage persistent id");
        }
        long offset = nonNegative(where, args.get(1), "tensor storage offset");
        long[] size = longs(where, args.get(2), "tensor size");
        long[] stride = longs(where, args.get(3), "tensor stride");
        if (size.length != stride.length) {
            throw new FormatException(where + ": tensor size has " + size.length + " dimensions but its stride "
                    + stride.length);
        }
        return new PendingTensor(storage, offset, size, stride);
    }

    private static HostTensor materialize(String source, String name, PendingTensor t, boolean swap)
            throws IOException {
        Storage root = t.storage().root();
        DType dtype = root.dtype;
        int es = dtype.byteSize();
        String what = source + ": tensor '" + name + "'";
        long numel;
        long last; // largest element index used, relative to the slice
        try {
            numel = 1;
            last = t.offset();
            for (int d = 0; d < t.size().length; d++) {
                if (t.size()[d] < 0 || t.stride()[d] < 0) {
                    throw new FormatException(what + " has size " + java.util.Arrays.toString(t.size())
                            + " and stride " + java.util.Arrays.toString(t.stride()) + ", expected non-negative");
                }
                numel = Math.multiplyExact(numel, t.size()[d]);
                if (t.size()[d] > 0) {
                    last = Math.addExact(last, Math.multiplyExact(t.size()[d] - 1, t.stride()[d]));
                }
            }
        } catch (ArithmeticException e) {
            throw new FormatException(what + " has size " + java.util.Arrays.toString(t.size()) + " and stride "
                    + java.util.Arrays.toString(t.stride()) + ", whose extent overflows");
        }
        if (numel > (Integer.MAX_VALUE - 16) / es) {
            throw new FormatException(what + " has " + numel + " elements, more than a host tensor can hold");
        }
        byte[] out = new byte[(int) (numel * es)];
        if (numel > 0) {
            if (last >= t.storage().numel()) {
                throw new FormatException(what + " (offset " + t.offset() + ", size "
                        + java.util.Arrays.toString(t.size()) + ", stride " + java.util.Arrays.toString(t.stride())
                        + ") reaches element " + last + " of a storage of " + t.storage().numel() + " elements ('"
                        + root.key + "')");
            }
            if (root.data == null) {
                throw new FormatException(what + ": the data of its storage '" + root.key
                        + "' is missing from the file");
            }
            gather(root.data, t.storage().offset() + t.offset(), t.size(), t.stride(), es, out);
            if (swap && es > 1) {
                for (int i = 0; i < out.length; i += es) {
                    for (int a = i, b = i + es - 1; a < b; a++, b--) {
                        byte x = out[a];
                        out[a] = out[b];
                        out[b] = x;
                    }
                }
            }
        }
        return HostTensor.adopt(dtype, Shape.of(t.size()), ByteBuffer.wrap(out));
    }

    /** Copies the strided elements starting at element {@code base} of {@code data} into row-major {@code out}. */
    private static void gather(byte[] data, long base, long[] size, long[] stride, int es, byte[] out) {
        int rank = size.length;
        boolean contiguous = true;
        long expected = 1;
        for (int d = rank - 1; d >= 0; d--) {
            if (size[d] != 1 && stride[d] != expected) {
                contiguous = false;
            }
            expected *= size[d];
        }
        if (contiguous) {
            System.arraycopy(data, Math.toIntExact(base * es), out, 0, out.length);
            return;
        }
        long inner = size[rank - 1];
        long innerStride = stride[rank - 1];
        long[] index = new long[rank];
        int o = 0;
        while (o < out.length) {
            long p = base;
            for (int d = 0; d < rank - 1; d++) {
                p += index[d] * stride[d];
            }
            if (innerStride == 1) {
                int n = (int) (inner * es);
                System.arraycopy(data, (int) (p * es), out, o, n);
                o += n;
            } else {
                for (long j = 0; j < inner; j++) {
                    System.arraycopy(data, (int) ((p + j * innerStride) * es), out, o, es);
                    o += es;
                }
            }
            for (int d = rank - 2; d >= 0; d--) {
                if (++index[d] < size[d]) {
                    break;
                }
                index[d] = 0;
            }
        }
    }

    // ------------------------------------------------------------------------------------- state dicts

    private static Map<String, HostTensor> stateDict(String source, Object result, boolean swap)
            throws IOException {
        if (result instanceof PendingTensor) {
            throw new FormatException(source + ": holds a single tensor, expected a state dict (a dict of name "
                    + "to tensor)");
        }
        if (!(result instanceof PyDict top)) {
            throw new FormatException(source + ": holds " + describe(result) + ", expected a state dict (a dict "
                    + "of name to tensor)");
        }
        PyDict chosen = null;
        String path = "";
        if (firstNonTensor(top) == null) {
            chosen = top;
        } else {
            for (String key : NESTED_KEYS) {
                if (top.items.get(key) instanceof PyDict nested && firstNonTensor(nested) == null) {
                    chosen = nested;
                    path = "['" + key + "']";
                    break;
                }
            }
        }
        if (chosen == null) {
            PyDict reported = top;
            String where = "";
            for (String key : NESTED_KEYS) {
                if (top.items.get(key) instanceof PyDict nested) {
                    reported = nested;
                    where = "['" + key + "']";
                    break;
                }
            }
            Map.Entry<Object, Object> bad = firstNonTensor(reported);
            String entry = bad.getKey() instanceof String s ? where + "['" + s + "']"
                    : where + "[<" + Unpickler.typeName(bad.getKey()) + " key>]";
            throw new FormatException(source + ": entry " + entry + " is " + (bad.getKey() instanceof String
                    ? describe(bad.getValue()) + ", not a tensor" : "not named by a str")
                    + "; expected a state dict of name to tensor, or a dict whose 'state_dict' or 'model' entry "
                    + "is one");
        }
        Map<String, HostTensor> tensors = new LinkedHashMap<>();
        for (Map.Entry<Object, Object> e : chosen.items.entrySet()) {
            String name = (String) e.getKey();
            tensors.put(name, materialize(source, path.isEmpty() ? name : path + "['" + name + "']",
                    (PendingTensor) e.getValue(), swap));
        }
        return Collections.unmodifiableMap(tensors);
    }

    private static Map.Entry<Object, Object> firstNonTensor(PyDict d) {
        for (Map.Entry<Object, Object> e : d.items.entrySet()) {
            if (!(e.getKey() instanceof String) || !(e.getValue() instanceof PendingTensor)) {
                return e;
            }
        }
        return null;
    }

    private static String describe(Object o) {
        if (o instanceof PendingTensor) {
            return "a tensor";
        }
        if (o instanceof Slice) {
            return "a storage";
        }
        return Unpickler.typeName(o);
    }

    // ---------------------------------------------------------------------------------------- helpers

    private static StorageType storageType(String where, Object o) throws FormatException {
        if (o instanceof StorageType s) {
            return s;
        }
        throw new FormatException(where + ": storage type in a persistent id is " + describe(o)
                + ", expected a torch.*Storage class");
    }

    private static String storageKey(String where, Object o) throws FormatException {
        if (o instanceof String s) {
            return s;
        }
        throw new FormatException(where + ": storage key is " + describe(o) + ", expected a str");
    }

    private static long nonNegative(String where, Object o, String what) throws FormatException {
        if (o instanceof Long v && v >= 0) {
            return v;
        }
        throw new FormatException(where + ": " + what + " is " + (o instanceof Long v ? String.valueOf(v)
                : describe(o)) + ", expected a non-negative int");
    }

    private static long[] longs(String where, Object o, String what) throws FormatException {
        if (!(o instanceof Tuple t)) {
            throw new FormatException(where + ": " + what + " is " + describe(o) + ", expected a tuple of ints");
        }
        long[] v = new long[t.size()];
        for (int i = 0; i < v.length; i++) {
            if (!(t.get(i) instanceof Long x)) {
                throw new FormatException(where + ": " + what + " holds " + describe(t.get(i))
                        + ", expected ints");
            }
            v[i] = x;
        }
        return v;
    }

    private static String describePid(Object pid) {
        if (pid instanceof Tuple t) {
            StringBuilder b = new StringBuilder("(");
            for (int i = 0; i < t.size(); i++) {
                Object x = t.get(i);
                b.append(i == 0 ? "" : ", ").append(x instanceof String s && s.length() < 40 ? "'" + s + "'"
                        : describe(x));
            }
            return b.append(")").toString();
        }
        return "is " + describe(pid);
    }

    private static boolean startsWith(byte[] head, byte[] magic) {
        if (head.length < magic.length) {
            return false;
        }
        for (int i = 0; i < magic.length; i++) {
            if (head[i] != magic[i]) {
                return false;
            }
        }
        return true;
    }
}
