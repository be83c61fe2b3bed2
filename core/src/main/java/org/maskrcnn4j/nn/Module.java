package org.maskrcnn4j.nn;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import java.util.random.RandomGenerator;
import org.maskrcnn4j.tensor.DType;
import org.maskrcnn4j.tensor.ParameterStore;
import org.maskrcnn4j.tensor.Shape;

/**
 * Base of every model part: a full name prefix given at construction ({@code ""} for a root, or e.g.
 * {@code backbone.body}), its own parameters and buffers, and child modules registered in order, all set
 * up in the subclass constructor and fixed afterwards. Names compose like torchvision's: a child
 * {@code layer1} holding a child {@code 0} holding a conv {@code conv1} owns {@code layer1.0.conv1.weight}.
 *
 * <p>{@link #parameters()} lists the subtree in torchvision's {@code state_dict()} order: a module's own
 * trainable parameters, then its buffers (each group in declaration order), then each child's subtree in
 * registration order.
 */
public abstract class Module {
    private final String name;
    private final List<Parameter> own = new ArrayList<>();
    private final List<Module> children = new ArrayList<>();
    private final Set<String> localNames = new HashSet<>();

    /** @param name the full prefix of this module, {@code ""} for a root */
    protected Module(String name) {
        this.name = checkName(name, "module name");
    }

    /** The full name prefix of this module ({@code ""} for a root). */
    public final String name() {
        return name;
    }

    /** The full name of a direct child or own parameter called {@code localName}. */
    protected final String childName(String localName) {
        checkName(localName, "local name");
        if (localName.isEmpty()) {
            throw new IllegalArgumentException("local name must not be empty in module '" + name + "'");
        }
        return name.isEmpty() ? localName : name + "." + localName;
    }

    /**
     * Registers a child constructed with a name from {@link #childName}; returns it for assignment to a
     * field. Fails if the child's name is not under this module or is already taken.
     */
    protected final <M extends Module> M register(M child) {
        String full = child.name();
        String prefix = name.isEmpty() ? "" : name + ".";
        if (full.length() <= prefix.length() || !full.startsWith(prefix)) {
            throw new IllegalArgumentException("child '" + full + "' is not named under module '" + name
                    + "'; construct it with childName(...)");
        }
        claim(full.substring(prefix.length()));
        children.add(child);
        return child;
    }

    /** Declares an own trainable float32 parameter {@code localName}. */
    protected final Parameter parameter(String localName, Shape shape, Initializer initializer) {
        return add(new Parameter(childName(localName), shape, DType.FLOAT32, true, initializer));
    }

    /** Declares an own buffer (not trainable) {@code localName}. */
    protected final Parameter buffer(String localName, Shape shape, DType dtype, Initializer initializer) {
        return add(new Parameter(childName(localName), shape, dtype, false, initializer));
    }

    private Parameter add(Parameter p) {
        claim(p.name().substring(name.isEmpty() ? 0 : name.length() + 1));
        own.add(p);
        return p;
    }

    private void claim(String localName) {
        if (!localNames.add(localName)) {
            throw new IllegalArgumentException("module '" + name + "' already has a member named '" + localName + "'");
        }
    }

    /** Direct children in registration order. */
    public final List<Module> children() {
        return Collections.unmodifiableList(children);
    }

    /** Every parameter and buffer of the subtree, in torchvision's {@code state_dict()} order. */
    public final List<Parameter> parameters() {
        List<Parameter> out = new ArrayList<>();
        collect(out);
        return Collections.unmodifiableList(out);
    }

    private void collect(List<Parameter> out) {
        for (Parameter p : own) {
            if (p.trainable()) {
                out.add(p);
            }
        }
        for (Parameter p : own) {
            if (!p.trainable()) {
                out.add(p);
            }
        }
        for (Module c : children) {
            c.collect(out);
        }
    }

    /** Full name to shape of every parameter and buffer, in {@link #parameters()} order. */
    public final Map<String, Shape> shapes() {
        Map<String, Shape> out = new LinkedHashMap<>();
        for (Parameter p : parameters()) {
            out.put(p.name(), p.shape());
        }
        return out;
    }

    /**
     * Declares every parameter and buffer of the subtree in {@code store}, in {@link #parameters()} order,
     * with initial values drawn from {@code rng} in that order (a store keeps the value of a name declared
     * before).
     */
    public final void declare(ParameterStore store, RandomGenerator rng) {
        declare(store, rng, p -> false);
    }

    /**
     * Like {@link #declare(ParameterStore, RandomGenerator)}, but parameters matching {@code frozen} are
     * declared not trainable (torchvision's {@code requires_grad_(False)}, e.g. the first backbone stages).
     */
    public final void declare(ParameterStore store, RandomGenerator rng, Predicate<Parameter> frozen) {
        for (Parameter p : parameters()) {
            store.declare(p.name(), p.initialValue(rng), p.trainable() && !frozen.test(p));
        }
    }

    @Override
    public String toString() {
        return getClass().getSimpleName() + "(" + name + ")";
    }

    /** Checks a dotted name: no empty segment, no whitespace; {@code ""} is allowed. */
    static String checkName(String name, String what) {
        if (name == null) {
            throw new NullPointerException(what);
        }
        if (!name.isEmpty() && (name.startsWith(".") || name.endsWith(".") || name.contains("..")
                || name.chars().anyMatch(Character::isWhitespace))) {
            throw new IllegalArgumentException("invalid " + what + " '" + name + "'");
        }
        return name;
    }
}
