package org.maskrcnn4j.io;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.maskrcnn4j.tensor.DType;

/**
 * A minimal, safe reader of the Python pickles that {@code torch.save} writes for a state dict. It knows
 * only the binary opcodes of protocols 2 to 5 that such a pickle uses, never runs or imports anything, and
 * refuses every global except {@code collections.OrderedDict}, {@code torch._utils._rebuild_tensor_v2},
 * {@code torch._utils._rebuild_parameter} and the {@code torch.*Storage} types of a supported element type.
 *
 * <p>Python values become: {@code None} → {@code null}, bool → {@link Boolean}, int → {@link Long} (or
 * {@link BigInteger} past 64 bits), float → {@link Double}, str → {@link String}, bytes → {@code byte[]},
 * tuple → {@link Tuple}, list → {@link ArrayList}, dict and OrderedDict → {@link PyDict}. Persistent ids and
 * tensor rebuild calls are handed to {@link Hooks}.
 */
final class Unpickler {
    /** Highest pickle protocol understood. */
    static final int MAX_PROTOCOL = 5;

    /** What the caller does with persistent ids and {@code _rebuild_tensor_v2} calls. */
    interface Hooks {
        /** The object a {@code BINPERSID} stands for. */
        Object persistentLoad(Object pid) throws IOException;

        /** The result of {@code torch._utils._rebuild_tensor_v2(*args)}. */
        Object rebuildTensor(Tuple args) throws IOException;
    }

    /** An immutable Python tuple. */
    record Tuple(List<Object> items) {
        Tuple {
            items = Collections.unmodifiableList(new ArrayList<>(items));
        }

        int size() {
            return items.size();
        }

        Object get(int i) {
            return items.get(i);
        }
    }

    /**
     * A Python dict or {@code collections.OrderedDict}: its items in insertion order, and the instance
     * attributes a {@code BUILD} gave it (a state dict's {@code _metadata}).
     */
    static final class PyDict {
        final boolean ordered;
        final Map<Object, Object> items = new LinkedHashMap<>();
        final Map<String, Object> attributes = new LinkedHashMap<>();

        PyDict(boolean ordered) {
            this.ordered = ordered;
        }
    }

    /** The globals a state dict pickle may name. */
    enum Callable {
        ORDERED_DICT("collections.OrderedDict"),
        REBUILD_TENSOR_V2("torch._utils._rebuild_tensor_v2"),
        REBUILD_PARAMETER("torch._utils._rebuild_parameter");

        final String pythonName;

        Callable(String pythonName) {
            this.pythonName = pythonName;
        }
    }

    /** A {@code torch.*Storage} class, as named in a persistent id. */
    record StorageType(String name, DType dtype) {
    }

    private static final Map<String, DType> STORAGES = Map.of(
            "FloatStorage", DType.FLOAT32, "DoubleStorage", DType.FLOAT64, "HalfStorage", DType.FLOAT16,
            "BFloat16Storage", DType.BFLOAT16, "LongStorage", DType.INT64, "IntStorage", DType.INT32,
            "ByteStorage", DType.UINT8, "BoolStorage", DType.BOOL);
    private static final String ALLOWED = "collections.OrderedDict, torch._utils._rebuild_tensor_v2, "
            + "torch._utils._rebuild_parameter and torch.{Float,Double,Half,BFloat16,Long,Int,Byte,Bool}Storage";

    private static final Object MARK = new Object() {
        @Override
        public String toString() {
            return "MARK";
        }
    };

    private final Input in;
    private final String where;
    private final Hooks hooks;
    private final List<Object> stack = new ArrayList<>();
    private final List<Integer> marks = new ArrayList<>();
    private final Map<Long, Object> memo = new HashMap<>();

    private Unpickler(Input in, String where, Hooks hooks) {
        this.in = in;
        this.where = where;
        this.hooks = hooks;
    }

    /**
     * Reads one pickle (up to and including its {@code STOP}) from {@code in}; {@code where} names the file
     * and part for error messages. {@code hooks} may be {@code null} if the pickle holds no tensors.
     */
    static Object load(Input in, String where, Hooks hooks) throws IOException {
        return new Unpickler(in, where, hooks).run();
    }

    private Object run() throws IOException {
        while (true) {
            long at = in.position();
            int op = in.read(where, "a pickle opcode");
            switch (op) {
                case 0x80 -> { // PROTO
                    int protocol = in.read(where, "the PROTO argument");
                    if (protocol > MAX_PROTOCOL) {
                        throw error(at, "unsupported pickle protocol " + protocol + " (at most " + MAX_PROTOCOL
                                + " is understood)");
                    }
                }
                case 0x95 -> in.readLongLE(where, "the FRAME length"); // FRAME: a length hint only
                case '.' -> { // STOP
                    if (stack.size() != 1 || !marks.isEmpty()) {
                        throw error(at, "pickle stops with " + stack.size() + " values on the stack and "
                                + marks.size() + " open marks, expected exactly one value");
                    }
                    return stack.get(0);
                }
                case '(' -> { // MARK
                    marks.add(stack.size());
                    stack.add(MARK);
                }
                case '0' -> pop(at); // POP
                case '1' -> popMark(at); // POP_MARK
                case '2' -> push(peek(at)); // DUP
                case 'N' -> push(null); // NONE
                case 0x88 -> push(Boolean.TRUE); // NEWTRUE
                case 0x89 -> push(Boolean.FALSE); // NEWFALSE
                case 'J' -> push((long) in.readIntLE(where, "a BININT")); // BININT
                case 'K' -> push((long) in.read(where, "a BININT1")); // BININT1
                case 'M' -> push((long) in.readUnsignedShortLE(where, "a BININT2")); // BININT2
                case 0x8a -> push(readLong(at, in.read(where, "a LONG1 length"))); // LONG1
                case 0x8b -> push(readLong(at, in.readIntLE(where, "a LONG4 length"))); // LONG4
                case 'G' -> push(Double.longBitsToDouble(Long.reverseBytes(in.readLongLE(where, "a BINFLOAT"))));
                case 'X' -> push(utf8(at, in.readBytes(in.readUnsignedIntLE(where, "a string length"), where,
                        "a BINUNICODE string")));
                case 0x8c -> push(utf8(at, in.readBytes(in.read(where, "a string length"), where,
                        "a SHORT_BINUNICODE string")));
                case 0x8d -> push(utf8(at, in.readBytes(in.readLongLE(where, "a string length"), where,
                        "a BINUNICODE8 string")));
                case 'T' -> push(legacyString(in.readBytes(in.readIntLE(where, "a string length"), where,
                        "a BINSTRING string")));
                case 'U' -> push(legacyString(in.readBytes(in.read(where, "a string length"), where,
                        "a SHORT_BINSTRING string")));
                case 'B' -> push(in.readBytes(in.readUnsignedIntLE(where, "a bytes length"), where, "BINBYTES"));
                case 'C' -> push(in.readBytes(in.read(where, "a bytes length"), where, "SHORT_BINBYTES"));
                case 0x8e -> push(in.readBytes(in.readLongLE(where, "a bytes length"), where, "BINBYTES8"));
                case ')' -> push(new Tuple(List.of())); // EMPTY_TUPLE
                case 0x85 -> push(new Tuple(popN(at, 1))); // TUPLE1
                case 0x86 -> push(new Tuple(popN(at, 2))); // TUPLE2
                case 0x87 -> push(new Tuple(popN(at, 3))); // TUPLE3
                case 't' -> push(new Tuple(popMark(at))); // TUPLE
                case ']' -> push(new ArrayList<>()); // EMPTY_LIST
                case 'l' -> push(new ArrayList<>(popMark(at))); // LIST
                case '}' -> push(new PyDict(false)); // EMPTY_DICT
                case 'd' -> { // DICT
                    PyDict d = new PyDict(false);
                    putAll(at, d, popMark(at));
                    push(d);
                }
                case 'a' -> { // APPEND
                    Object v = pop(at);
                    asList(at, peek(at), "APPEND").add(v);
                }
                case 'e' -> { // APPENDS
                    List<Object> items = popMark(at);
                    asList(at, peek(at), "APPENDS").addAll(items);
                }
                case 's' -> { // SETITEM
                    Object v = pop(at);
                    Object k = pop(at);
                    put(at, asDict(at, peek(at), "SETITEM"), k, v);
                }
                case 'u' -> { // SETITEMS
                    List<Object> kv = popMark(at);
                    putAll(at, asDict(at, peek(at), "SETITEMS"), kv);
                }
                case 'q' -> memo.put((long) in.read(where, "a BINPUT index"), peek(at)); // BINPUT
                case 'r' -> memo.put(in.readUnsignedIntLE(where, "a LONG_BINPUT index"), peek(at)); // LONG_BINPUT
                case 0x94 -> memo.put((long) memo.size(), peek(at)); // MEMOIZE
                case 'h' -> push(memoGet(at, in.read(where, "a BINGET index"))); // BINGET
                case 'j' -> push(memoGet(at, in.readUnsignedIntLE(where, "a LONG_BINGET index"))); // LONG_BINGET
                case 'c' -> { // GLOBAL
                    String module = utf8(at, in.readLine(where, "a GLOBAL module name"));
                    String name = utf8(at, in.readLine(where, "a GLOBAL name"));
                    push(resolve(at, module, name));
                }
                case 0x93 -> { // STACK_GLOBAL
                    Object name = pop(at);
                    Object module = pop(at);
                    if (!(module instanceof String m) || !(name instanceof String n)) {
                        throw error(at, "STACK_GLOBAL needs two strings, found " + typeName(module) + " and "
                                + typeName(name));
                    }
                    push(resolve(at, m, n));
                }
                case 'Q' -> { // BINPERSID
                    Object pid = pop(at);
                    if (hooks == null) {
                        throw error(at, "unexpected persistent id in a pickle that should hold no tensors");
                    }
                    push(hooks.persistentLoad(pid));
                }
                case 'R' -> { // REDUCE
                    Object args = pop(at);
                    Object callable = pop(at);
                    if (!(args instanceof Tuple t)) {
                        throw error(at, "REDUCE needs an argument tuple, found " + typeName(args));
                    }
                    push(call(at, callable, t));
                }
                case 0x81 -> { // NEWOBJ: cls.__new__(cls, *args)
                    Object args = pop(at);
                    Object cls = pop(at);
                    push(newObject(at, cls, args, null));
                }
                case 0x92 -> { // NEWOBJ_EX: cls.__new__(cls, *args, **kwargs)
                    Object kwargs = pop(at);
                    Object args = pop(at);
                    Object cls = pop(at);
                    push(newObject(at, cls, args, kwargs));
                }
                case 'b' -> { // BUILD
                    Object state = pop(at);
                    build(at, peek(at), state);
                }
                default -> throw error(at, String.format("unsupported pickle opcode 0x%02x%s; a torch.save state "
                        + "dict needs only the binary opcodes of protocols 2 to 5", op,
                        op >= 0x20 && op < 0x7f ? " ('" + (char) op + "')" : ""));
            }
        }
    }

    private Object resolve(long at, String module, String name) throws IOException {
        if (module.equals("collections") && name.equals("OrderedDict")) {
            return Callable.ORDERED_DICT;
        }
        if (module.equals("torch._utils") && name.equals("_rebuild_tensor_v2")) {
            return Callable.REBUILD_TENSOR_V2;
        }
        if (module.equals("torch._utils") && name.equals("_rebuild_parameter")) {
            return Callable.REBUILD_PARAMETER;
        }
        if (module.equals("torch") && STORAGES.containsKey(name)) {
            return new StorageType(name, STORAGES.get(name));
        }
        String why = module.equals("torch") && name.endsWith("Storage")
                ? " (a storage type whose element type has no DType here)"
                : "";
        throw error(at, "refusing pickle global '" + printable(module) + "." + printable(name) + "'" + why
                + "; only " + ALLOWED + " are allowed in a state dict");
    }

    private Object call(long at, Object callable, Tuple args) throws IOException {
        if (callable == Callable.ORDERED_DICT) {
            PyDict d = new PyDict(true);
            if (args.size() == 1 && args.get(0) != null) {
                // Python 2 pickles an OrderedDict as OrderedDict([[key, value], ...])
                Object pairs = args.get(0);
                List<Object> list = pairs instanceof Tuple t ? t.items() : pairs instanceof List<?> l
                        ? castList(l) : null;
                if (list == null) {
                    throw error(at, "OrderedDict(...) needs a list of pairs, found " + typeName(pairs));
                }
                for (Object pair : list) {
                    List<Object> kv = pair instanceof Tuple t ? t.items() : pair instanceof List<?> l
                            ? castList(l) : null;
                    if (kv == null || kv.size() != 2) {
                        throw error(at, "OrderedDict(...) needs key-value pairs, found " + typeName(pair));
                    }
                    put(at, d, kv.get(0), kv.get(1));
                }
            } else if (args.size() != 0) {
                throw error(at, "OrderedDict(...) called with " + args.size() + " arguments, expected 0 or 1");
            }
            return d;
        }
        if (callable == Callable.REBUILD_TENSOR_V2) {
            if (hooks == null) {
                throw error(at, "unexpected tensor in a pickle that should hold no tensors");
            }
            return hooks.rebuildTensor(args);
        }
        if (callable == Callable.REBUILD_PARAMETER) {
            // _rebuild_parameter(data, requires_grad, backward_hooks): the parameter is its tensor
            if (args.size() != 3) {
                throw error(at, "_rebuild_parameter called with " + args.size() + " arguments, expected 3");
            }
            return args.get(0);
        }
        if (callable instanceof StorageType s) {
            throw error(at, "refusing to call torch." + s.name() + "(...): storages must come from persistent ids");
        }
        throw error(at, "REDUCE on " + typeName(callable) + ", which is not callable here");
    }

    private Object newObject(long at, Object cls, Object args, Object kwargs) throws IOException {
        if (cls != Callable.ORDERED_DICT) {
            throw error(at, "NEWOBJ of " + typeName(cls) + "; only collections.OrderedDict may be created so");
        }
        if (!(args instanceof Tuple t) || t.size() != 0
                || kwargs != null && !(kwargs instanceof PyDict k && k.items.isEmpty())) {
            throw error(at, "NEWOBJ of collections.OrderedDict with arguments; expected none");
        }
        return new PyDict(true);
    }

    private void build(long at, Object target, Object state) throws IOException {
        if (!(target instanceof PyDict d)) {
            throw error(at, "BUILD on " + typeName(target) + "; only a dict's attributes may be set");
        }
        Object attrs = state;
        if (state instanceof Tuple t && t.size() == 2) { // (state, slotstate)
            if (t.get(1) != null) {
                putAttributes(at, d, t.get(1));
            }
            attrs = t.get(0);
        }
        if (attrs != null) {
            putAttributes(at, d, attrs);
        }
    }

    private void putAttributes(long at, PyDict d, Object attrs) throws IOException {
        if (!(attrs instanceof PyDict a)) {
            throw error(at, "BUILD state must be a dict, found " + typeName(attrs));
        }
        for (Map.Entry<Object, Object> e : a.items.entrySet()) {
            if (!(e.getKey() instanceof String name)) {
                throw error(at, "BUILD attribute name must be a string, found " + typeName(e.getKey()));
            }
            d.attributes.put(name, e.getValue());
        }
    }

    private void putAll(long at, PyDict d, List<Object> kv) throws IOException {
        if (kv.size() % 2 != 0) {
            throw error(at, "odd number of values (" + kv.size() + ") for dict items");
        }
        for (int i = 0; i < kv.size(); i += 2) {
            put(at, d, kv.get(i), kv.get(i + 1));
        }
    }

    private void put(long at, PyDict d, Object key, Object value) throws IOException {
        if (!hashable(key)) {
            throw error(at, "unhashable dict key of type " + typeName(key));
        }
        d.items.put(key, value);
    }

    private static boolean hashable(Object key) {
        if (key == null || key instanceof String || key instanceof Long || key instanceof BigInteger
                || key instanceof Double || key instanceof Boolean) {
            return true;
        }
        if (key instanceof Tuple t) {
            for (Object o : t.items()) {
                if (!hashable(o)) {
                    return false;
                }
            }
            return true;
        }
        return false;
    }

    @SuppressWarnings("unchecked")
    private static List<Object> castList(List<?> l) {
        return (List<Object>) l;
    }

    private List<Object> asList(long at, Object o, String op) throws IOException {
        if (o instanceof List<?> l) {
            return castList(l);
        }
        throw error(at, op + " on " + typeName(o) + ", expected a list");
    }

    private PyDict asDict(long at, Object o, String op) throws IOException {
        if (o instanceof PyDict d) {
            return d;
        }
        throw error(at, op + " on " + typeName(o) + ", expected a dict");
    }

    private Object memoGet(long at, long index) throws IOException {
        if (!memo.containsKey(index)) {
            throw error(at, "memo has no entry " + index);
        }
        return memo.get(index);
    }

    private Object readLong(long at, long length) throws IOException {
        if (length < 0) {
            throw error(at, "negative LONG length " + length);
        }
        byte[] le = in.readBytes(length, where, "a LONG value");
        if (le.length == 0) {
            return 0L;
        }
        byte[] be = new byte[le.length];
        for (int i = 0; i < le.length; i++) {
            be[i] = le[le.length - 1 - i];
        }
        BigInteger v = new BigInteger(be); // two's complement, as pickle's LONG1/LONG4
        return v.bitLength() < 64 ? (Object) v.longValue() : v;
    }

    private void push(Object o) {
        stack.add(o);
    }

    private Object peek(long at) throws IOException {
        if (stack.isEmpty() || stack.get(stack.size() - 1) == MARK) {
            throw error(at, "stack underflow");
        }
        return stack.get(stack.size() - 1);
    }

    private Object pop(long at) throws IOException {
        Object o = peek(at);
        stack.remove(stack.size() - 1);
        return o;
    }

    private List<Object> popN(long at, int n) throws IOException {
        int base = marks.isEmpty() ? 0 : marks.get(marks.size() - 1) + 1;
        if (stack.size() - base < n) {
            throw error(at, "stack underflow");
        }
        List<Object> view = stack.subList(stack.size() - n, stack.size());
        List<Object> items = new ArrayList<>(view);
        view.clear();
        return items;
    }

    private List<Object> popMark(long at) throws IOException {
        if (marks.isEmpty()) {
            throw error(at, "no MARK to pop to");
        }
        int m = marks.remove(marks.size() - 1);
        List<Object> view = stack.subList(m + 1, stack.size());
        List<Object> items = new ArrayList<>(view);
        stack.subList(m, stack.size()).clear();
        return items;
    }

    private String utf8(long at, byte[] bytes) throws IOException {
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw error(at, "string is not valid UTF-8");
        }
    }

    /** A Python 2 {@code str}: UTF-8 if it decodes so (torch.load's default encoding), else Latin-1. */
    private static String legacyString(byte[] bytes) {
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            return new String(bytes, StandardCharsets.ISO_8859_1);
        }
    }

    private static String printable(String s) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < s.length() && i < 200; i++) {
            char c = s.charAt(i);
            b.append(c >= 0x20 && c < 0x7f ? String.valueOf(c) : String.format("\\u%04x", (int) c));
        }
        return s.length() > 200 ? b + "..." : b.toString();
    }

    /** A short description of a value's type that never recurses into it. */
    static String typeName(Object o) {
        if (o == null) {
            return "None";
        } else if (o == MARK) {
            return "a MARK";
        } else if (o instanceof String) {
            return "a str";
        } else if (o instanceof Long || o instanceof BigInteger) {
            return "an int";
        } else if (o instanceof Double) {
            return "a float";
        } else if (o instanceof Boolean) {
            return "a bool";
        } else if (o instanceof byte[]) {
            return "a bytes";
        } else if (o instanceof Tuple) {
            return "a tuple";
        } else if (o instanceof List<?>) {
            return "a list";
        } else if (o instanceof PyDict d) {
            return d.ordered ? "an OrderedDict" : "a dict";
        } else if (o instanceof Callable c) {
            return c.pythonName;
        } else if (o instanceof StorageType s) {
            return "torch." + s.name();
        }
        return "a " + o.getClass().getSimpleName();
    }

    private IOException error(long at, String message) {
        return new TorchCheckpoint.FormatException(where + ", byte " + at + ": " + message);
    }

    /** Sequential little-endian reads with a known end, so that lengths in the data are checked first. */
    static final class Input {
        private final InputStream in;
        private final long length;
        private long position;

        /** Reads {@code in}, whose bytes from here on are {@code length} in number (the rest of the file). */
        Input(InputStream in, long start, long length) {
            this.in = in;
            this.position = start;
            this.length = length;
        }

        long position() {
            return position;
        }

        long remaining() {
            return length - position;
        }

        int read(String where, String what) throws IOException {
            if (position >= length) {
                throw truncated(where, what, 1);
            }
            int b = in.read();
            if (b < 0) {
                throw truncated(where, what, 1);
            }
            position++;
            return b;
        }

        byte[] readBytes(long n, String where, String what) throws IOException {
            if (n < 0 || n > remaining()) {
                throw truncated(where, what, n);
            }
            if (n > Integer.MAX_VALUE - 16) {
                throw new TorchCheckpoint.FormatException(where + ", byte " + position + ": " + what + " of " + n
                        + " bytes is too large to read");
            }
            byte[] b = new byte[(int) n];
            int done = 0;
            while (done < b.length) {
                int k = in.read(b, done, b.length - done);
                if (k < 0) {
                    position += done;
                    throw truncated(where, what, n - done);
                }
                done += k;
            }
            position += n;
            return b;
        }

        int readIntLE(String where, String what) throws IOException {
            return ByteBuffer.wrap(readBytes(4, where, what)).order(java.nio.ByteOrder.LITTLE_ENDIAN).getInt();
        }

        long readUnsignedIntLE(String where, String what) throws IOException {
            return readIntLE(where, what) & 0xffffffffL;
        }

        int readUnsignedShortLE(String where, String what) throws IOException {
            byte[] b = readBytes(2, where, what);
            return (b[0] & 0xff) | (b[1] & 0xff) << 8;
        }

        long readLongLE(String where, String what) throws IOException {
            return ByteBuffer.wrap(readBytes(8, where, what)).order(java.nio.ByteOrder.LITTLE_ENDIAN).getLong();
        }

        /** Bytes up to a {@code \n} (not included), as the text arguments of {@code GLOBAL}. */
        byte[] readLine(String where, String what) throws IOException {
            java.io.ByteArrayOutputStream b = new java.io.ByteArrayOutputStream();
            while (true) {
                int c = read(where, what);
                if (c == '\n') {
                    return b.toByteArray();
                }
                if (b.size() >= 1024) {
                    throw new TorchCheckpoint.FormatException(where + ", byte " + position + ": " + what
                            + " is longer than 1024 bytes");
                }
                b.write(c);
            }
        }

        private IOException truncated(String where, String what, long needed) {
            if (needed < 0) {
                return new TorchCheckpoint.FormatException(where + ", byte " + position + ": negative length "
                        + needed + " for " + what);
            }
            EOFException eof = new EOFException(where + ": truncated: " + what + " needs " + needed
                    + " bytes at byte " + position + " but only " + Math.max(0, remaining()) + " remain");
            return new TorchCheckpoint.FormatException(eof.getMessage(), eof);
        }
    }
}
