package io.scanstream.ingest.api;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * A {@code multipart/related} body (RFC 2387, MIME framing of RFC 2046) as DICOMweb STOW-RS sends it: one part per
 * instance. Plain Java, bounded: parts are found by searching for the boundary, never by trusting a declared
 * length, and there are at most {@link #MAX_PARTS}.
 */
final class MultipartRelated {

    static final int MAX_PARTS = 1000;

    record Part(Map<String, String> headers, byte[] body) {
        /** The part's media type without parameters, lower case, if declared. */
        Optional<String> mediaType() {
            return Optional.ofNullable(headers.get("content-type")).map(MultipartRelated::baseType);
        }
    }

    /** The request is not multipart/related with type application/dicom: 415. */
    static final class UnsupportedMediaType extends Exception {
        UnsupportedMediaType(String message) {
            super(message, null, false, false);
        }
    }

    /** The body is not a well-formed multipart body: 400. */
    static final class Malformed extends Exception {
        Malformed(String message) {
            super(message, null, false, false);
        }
    }

    private MultipartRelated() {
    }

    /** The boundary of a {@code multipart/related; type="application/dicom"} content type. */
    static String boundary(String contentType) throws UnsupportedMediaType {
        if (contentType == null || !baseType(contentType).equals("multipart/related")) {
            throw new UnsupportedMediaType("STOW-RS takes multipart/related; type=\"application/dicom\", not "
                    + (contentType == null ? "no content type" : baseType(contentType)));
        }
        Map<String, String> parameters = parameters(contentType);
        String type = parameters.get("type");
        if (type == null || !type.equalsIgnoreCase("application/dicom")) {
            throw new UnsupportedMediaType("multipart/related needs type=\"application/dicom\" (DICOM Part 10 "
                    + "instances); " + (type == null ? "no type given" : "type " + type + " is not supported"));
        }
        String boundary = parameters.get("boundary");
        if (boundary == null || boundary.isEmpty() || boundary.length() > 70) {
            throw new UnsupportedMediaType("multipart/related without a valid boundary parameter");
        }
        return boundary;
    }

    static List<Part> parse(String boundary, byte[] body) throws Malformed {
        byte[] delimiter = ("--" + boundary).getBytes(StandardCharsets.US_ASCII);
        int start = indexOf(body, delimiter, 0);
        if (start < 0) {
            throw new Malformed("the body holds no multipart boundary");
        }
        List<Part> parts = new ArrayList<>();
        int pos = start + delimiter.length;
        while (true) {
            if (pos + 2 <= body.length && body[pos] == '-' && body[pos + 1] == '-') {
                return parts; // the close delimiter
            }
            pos = skipLine(body, pos); // transport padding and CRLF after the delimiter
            int headersEnd = indexOf(body, "\r\n\r\n".getBytes(StandardCharsets.US_ASCII), pos);
            boolean noHeaders = pos + 2 <= body.length && body[pos] == '\r' && body[pos + 1] == '\n';
            if (headersEnd < 0 && !noHeaders) {
                throw new Malformed("part " + (parts.size() + 1) + " has no end of headers");
            }
            Map<String, String> headers = noHeaders ? Map.of()
                    : headers(new String(body, pos, headersEnd - pos, StandardCharsets.ISO_8859_1));
            int content = noHeaders ? pos + 2 : headersEnd + 4;
            byte[] next = ("\r\n--" + boundary).getBytes(StandardCharsets.US_ASCII);
            int end = indexOf(body, next, content);
            if (end < 0) {
                throw new Malformed("part " + (parts.size() + 1) + " is not closed by a boundary (truncated)");
            }
            if (parts.size() == MAX_PARTS) {
                throw new Malformed("more than " + MAX_PARTS + " parts in one request");
            }
            parts.add(new Part(headers, java.util.Arrays.copyOfRange(body, content, end)));
            pos = end + next.length;
        }
    }

    private static Map<String, String> headers(String block) {
        Map<String, String> headers = new LinkedHashMap<>();
        for (String line : block.split("\r\n")) {
            int colon = line.indexOf(':');
            if (colon > 0) {
                headers.put(line.substring(0, colon).trim().toLowerCase(Locale.ROOT), line.substring(colon + 1).trim());
            }
        }
        return headers;
    }

    static String baseType(String contentType) {
        return contentType.split(";", 2)[0].trim().toLowerCase(Locale.ROOT);
    }

    private static Map<String, String> parameters(String contentType) {
        Map<String, String> parameters = new LinkedHashMap<>();
        String[] pieces = contentType.split(";");
        for (int i = 1; i < pieces.length; i++) {
            int eq = pieces[i].indexOf('=');
            if (eq > 0) {
                String value = pieces[i].substring(eq + 1).trim();
                if (value.length() >= 2 && value.startsWith("\"") && value.endsWith("\"")) {
                    value = value.substring(1, value.length() - 1);
                }
                parameters.put(pieces[i].substring(0, eq).trim().toLowerCase(Locale.ROOT), value);
            }
        }
        return parameters;
    }

    private static int skipLine(byte[] body, int pos) {
        while (pos < body.length && body[pos] != '\n') {
            pos++;
        }
        return Math.min(pos + 1, body.length);
    }

    private static int indexOf(byte[] haystack, byte[] needle, int from) {
        outer:
        for (int i = Math.max(0, from); i + needle.length <= haystack.length; i++) {
            for (int k = 0; k < needle.length; k++) {
                if (haystack[i + k] != needle[k]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
