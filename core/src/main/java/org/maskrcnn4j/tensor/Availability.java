package org.maskrcnn4j.tensor;

/** Whether a backend can be created here, and if not, why (e.g. its native library failed to load). */
public record Availability(boolean available, String reason) {
    public static Availability ok() {
        return new Availability(true, "available");
    }

    public static Availability unavailable(String reason) {
        return new Availability(false, reason);
    }
}
