package io.scanstream.core.dicom;

import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;

/** Reading DICOM string values: padding, the first of several values, and what is safe to echo in a reason. */
final class DicomText {

    private DicomText() {
    }

    /** The value without the space or NUL padding DICOM adds to reach an even length. */
    static String trimmed(byte[] bytes, int offset, int length, Charset charset) {
        int start = offset;
        int end = offset + length;
        while (end > start && (bytes[end - 1] == ' ' || bytes[end - 1] == 0)) {
            end--;
        }
        while (start < end && bytes[start] == ' ') {
            start++;
        }
        return new String(bytes, start, end - start, charset);
    }

    static String ascii(byte[] bytes, int offset, int length) {
        return trimmed(bytes, offset, length, StandardCharsets.ISO_8859_1);
    }

    /** The first of a multi-valued string ({@code 40\400} is two window centres). */
    static String firstValue(String value) {
        int backslash = value.indexOf('\\');
        return (backslash < 0 ? value : value.substring(0, backslash)).trim();
    }

    /**
     * A UID from the file, made safe to put in a rejection detail: only UID characters, at most 64. Transfer
     * syntax and SOP class UIDs name kinds of objects, never a patient; instance UIDs are never echoed.
     */
    static String printableUid(String uid) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < uid.length() && b.length() < 64; i++) {
            char c = uid.charAt(i);
            b.append((c >= '0' && c <= '9') || c == '.' ? c : '?');
        }
        return b.toString();
    }

    /** A code string (photometric interpretation) made safe to echo: letters, digits, underscore, at most 16. */
    static String printableCode(String code) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < code.length() && b.length() < 16; i++) {
            char c = code.charAt(i);
            b.append((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == ' ' ? c : '?');
        }
        return b.toString();
    }

    /** Whether a string has the syntax of a DICOM UID: digits and dots, at most 64 characters. */
    static boolean isUid(String s) {
        if (s == null || s.isEmpty() || s.length() > 64 || s.startsWith(".") || s.endsWith(".")) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (!((c >= '0' && c <= '9') || c == '.')) {
                return false;
            }
        }
        return !s.contains("..");
    }
}
