package io.polarstack.orchestrator.agent;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Typed, validating access to the JSON request. Every rejection is an {@code INVALID_ARGUMENT} that names the
 * field, so a caller learns which value to fix.
 */
public final class Request {

    /** Keys whose values are secrets: never logged, never echoed in a message. */
    private static final Pattern SECRET_KEY = Pattern.compile("(?i).*(password|secret|token).*");

    private final ObjectNode json;
    private final String prefix;

    public Request(ObjectNode json) {
        this(json, "");
    }

    private Request(ObjectNode json, String prefix) {
        this.json = json;
        this.prefix = prefix;
    }

    public static Request of(JsonNode node) {
        if (node == null || !node.isObject()) {
            throw AgentException.invalid("the request on stdin must be one JSON object");
        }
        return new Request((ObjectNode) node);
    }

    public static Request empty() {
        return new Request(JsonNodeFactory.instance.objectNode());
    }

    public boolean has(String field) {
        JsonNode node = json.get(field);
        return node != null && !node.isNull();
    }

    public Optional<String> optString(String field) {
        JsonNode node = json.get(field);
        if (node == null || node.isNull()) {
            return Optional.empty();
        }
        if (!node.isValueNode() || node.isBinary()) {
            throw AgentException.invalid(name(field) + " must be a string");
        }
        return Optional.of(node.asText());
    }

    public String string(String field) {
        return optString(field).orElseThrow(() -> AgentException.invalid(name(field) + " is required"));
    }

    /** A required string that must match {@code pattern}; {@code rule} says in words what is allowed. */
    public String string(String field, Pattern pattern, String rule) {
        return checked(field, string(field), pattern, rule);
    }

    public Optional<String> optString(String field, Pattern pattern, String rule) {
        return optString(field).map(v -> checked(field, v, pattern, rule));
    }

    private String checked(String field, String value, Pattern pattern, String rule) {
        if (!pattern.matcher(value).matches()) {
            String shown = SECRET_KEY.matcher(field).matches() ? "(hidden)" : "'" + printable(value) + "'";
            throw AgentException.invalid(name(field) + " " + shown + " is not allowed: " + rule);
        }
        return value;
    }

    public <E extends Enum<E>> E choice(String field, Class<E> type, E fallback) {
        Optional<String> value = optString(field);
        if (value.isEmpty()) {
            if (fallback == null) {
                throw AgentException.invalid(name(field) + " is required; one of " + choices(type));
            }
            return fallback;
        }
        for (E e : type.getEnumConstants()) {
            if (e.name().replace('_', '-').equalsIgnoreCase(value.get())) {
                return e;
            }
        }
        throw AgentException.invalid(name(field) + " '" + printable(value.get()) + "' is not one of " + choices(type));
    }

    private static <E extends Enum<E>> String choices(Class<E> type) {
        StringBuilder s = new StringBuilder();
        for (E e : type.getEnumConstants()) {
            s.append(s.length() == 0 ? "" : ", ")
                    .append(e.name().toLowerCase(Locale.ROOT).replace('_', '-'));
        }
        return s.toString();
    }

    public Optional<Long> optLong(String field, long min, long max) {
        JsonNode node = json.get(field);
        if (node == null || node.isNull()) {
            return Optional.empty();
        }
        long value;
        if (node.isIntegralNumber() && node.canConvertToLong()) {
            value = node.asLong();
        } else if (node.isTextual() && node.asText().matches("-?[0-9]{1,18}")) {
            value = Long.parseLong(node.asText());
        } else {
            throw AgentException.invalid(name(field) + " must be an integer");
        }
        if (value < min || value > max) {
            throw AgentException.invalid(name(field) + " " + value + " is out of range [" + min + ", " + max + "]");
        }
        return Optional.of(value);
    }

    public long longValue(String field, long min, long max) {
        return optLong(field, min, max).orElseThrow(() -> AgentException.invalid(name(field) + " is required"));
    }

    public int port(String field) {
        return (int) longValue(field, 1, 65535);
    }

    public boolean bool(String field, boolean fallback) {
        JsonNode node = json.get(field);
        if (node == null || node.isNull()) {
            return fallback;
        }
        if (node.isBoolean()) {
            return node.asBoolean();
        }
        if (node.isTextual() && node.asText().matches("(?i)true|false")) {
            return Boolean.parseBoolean(node.asText());
        }
        throw AgentException.invalid(name(field) + " must be true or false");
    }

    /** An absolute path without control characters. */
    public Optional<Path> optPath(String field) {
        return optString(field).map(v -> {
            if (!v.startsWith("/") || v.chars().anyMatch(c -> c < 0x20 || c == 0x7f)) {
                throw AgentException.invalid(
                        name(field) + " '" + printable(v) + "' must be an absolute path without control characters");
            }
            return Path.of(v).normalize();
        });
    }

    public Optional<Request> optObject(String field) {
        JsonNode node = json.get(field);
        if (node == null || node.isNull()) {
            return Optional.empty();
        }
        if (!node.isObject()) {
            throw AgentException.invalid(name(field) + " must be a JSON object");
        }
        return Optional.of(new Request((ObjectNode) node, prefix + field + "."));
    }

    public Request object(String field) {
        return optObject(field).orElseThrow(() -> AgentException.invalid(name(field) + " is required"));
    }

    /** A JSON object of scalar values, in request order. */
    public Map<String, String> stringMap(String field) {
        Map<String, String> map = new LinkedHashMap<>();
        JsonNode node = json.get(field);
        if (node == null || node.isNull()) {
            return map;
        }
        if (!node.isObject()) {
            throw AgentException.invalid(name(field) + " must be a JSON object of name: value");
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (!e.getValue().isValueNode() || e.getValue().isNull()) {
                throw AgentException.invalid(name(field) + "." + e.getKey() + " must be a string, number or boolean");
            }
            map.put(e.getKey(), e.getValue().asText());
        }
        return map;
    }

    public Optional<List<String>> optStringList(String field) {
        JsonNode node = json.get(field);
        if (node == null || node.isNull()) {
            return Optional.empty();
        }
        if (!node.isArray()) {
            throw AgentException.invalid(name(field) + " must be a JSON array of strings");
        }
        List<String> list = new java.util.ArrayList<>();
        for (JsonNode item : node) {
            if (!item.isTextual()) {
                throw AgentException.invalid(name(field) + " must be a JSON array of strings");
            }
            list.add(item.asText());
        }
        return Optional.of(list);
    }

    /** The request with every secret-looking value replaced, for the log. */
    /** The request as received, secrets included: only for handing it on to a background run over a pipe. */
    ObjectNode raw() {
        return json.deepCopy();
    }

    public JsonNode redacted() {
        return redact(json.deepCopy());
    }

    private static JsonNode redact(JsonNode node) {
        if (node instanceof ObjectNode object) {
            for (Iterator<Map.Entry<String, JsonNode>> it = object.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                if (SECRET_KEY.matcher(e.getKey()).matches()) {
                    e.setValue(JsonNodeFactory.instance.textNode("***"));
                } else {
                    redact(e.getValue());
                }
            }
        } else if (node != null && node.isArray()) {
            node.forEach(Request::redact);
        }
        return node;
    }

    private String name(String field) {
        return "request field '" + prefix + field + "'";
    }

    /** A value as it may appear in a message: control characters shown escaped, long values cut. */
    static String printable(String value) {
        StringBuilder s = new StringBuilder();
        for (char c : value.toCharArray()) {
            if (c < 0x20 || c == 0x7f) {
                s.append(String.format("\\x%02x", (int) c));
            } else {
                s.append(c);
            }
            if (s.length() > 80) {
                return s.append("...").toString();
            }
        }
        return s.toString();
    }
}
