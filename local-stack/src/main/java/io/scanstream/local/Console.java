package io.scanstream.local;

import java.time.LocalTime;
import java.time.format.DateTimeFormatter;

/** What the person running the stack reads: one timestamped line per event. */
final class Console {

    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss");

    private Console() {
    }

    static synchronized void line(String format, Object... args) {
        System.out.println("[" + LocalTime.now().format(TIME) + "] " + String.format(format, args));
        System.out.flush();
    }
}
