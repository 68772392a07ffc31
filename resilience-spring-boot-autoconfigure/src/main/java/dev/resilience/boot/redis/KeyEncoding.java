package dev.resilience.boot.redis;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * Writes a per-key limiter's key as the bytes that name its bucket in Redis: distinct
 * keys never share a bucket, and short keys stay readable.
 * <p>
 * The encoding starts with the key's type: {@code s:} and the UTF-8 text for a
 * {@link String}, {@code i:} or {@code l:} and the decimal number for an {@link Integer}
 * or a {@link Long}, {@code o:}, the class name, {@code :} and the {@code toString()}
 * text for any other type (so {@code 1} and {@code "1"} differ, as they do for
 * {@code equals}). Text that is not well-formed UTF-16 (a lone surrogate, which UTF-8
 * cannot hold) is written as its UTF-16 code units in hexadecimal instead, under the
 * capitalized tag ({@code S:}, {@code O:}), so no two texts meet. An encoding longer than
 * {@value #MAX_READABLE_BYTES} bytes is replaced by {@code #} and its SHA-256 digest in
 * hexadecimal, so that what a key costs Redis does not grow with the key; two keys could
 * then share a bucket only through a SHA-256 collision. Stateless and thread-safe.
 */
final class KeyEncoding {

	/** The longest encoding kept as it is; longer ones are stored as their digest. */
	static final int MAX_READABLE_BYTES = 128;

	private static final char[] HEX = "0123456789abcdef".toCharArray();

	private KeyEncoding() {
	}

	/**
	 * Encodes a key.
	 * @param key the key, not {@code null}
	 * @return its encoding
	 */
	static byte[] encode(Object key) {
		byte[] encoded;
		if (key instanceof String text) {
			encoded = text('s', "", text);
		}
		else if (key instanceof Integer) {
			encoded = ("i:" + key).getBytes(StandardCharsets.US_ASCII);
		}
		else if (key instanceof Long) {
			encoded = ("l:" + key).getBytes(StandardCharsets.US_ASCII);
		}
		else {
			// A class name holds no ':', so the name ends at the first one.
			encoded = text('o', key.getClass().getName() + ":", String.valueOf(key));
		}
		return (encoded.length <= MAX_READABLE_BYTES) ? encoded : digest(encoded);
	}

	private static byte[] text(char tag, String head, String text) {
		if (isWellFormed(text)) {
			return (tag + ":" + head + text).getBytes(StandardCharsets.UTF_8);
		}
		StringBuilder units = new StringBuilder(head.length() + 2 + text.length() * 4);
		units.append(Character.toUpperCase(tag)).append(':').append(head);
		for (int i = 0; i < text.length(); i++) {
			char unit = text.charAt(i);
			units.append(HEX[(unit >> 12) & 0xF])
				.append(HEX[(unit >> 8) & 0xF])
				.append(HEX[(unit >> 4) & 0xF])
				.append(HEX[unit & 0xF]);
		}
		return units.toString().getBytes(StandardCharsets.UTF_8);
	}

	/**
	 * Tells whether every surrogate of the text is one half of a pair (UTF-8 encodes it
	 * then without loss).
	 */
	static boolean isWellFormed(String text) {
		for (int i = 0; i < text.length(); i++) {
			char unit = text.charAt(i);
			if (Character.isHighSurrogate(unit)) {
				if (i + 1 == text.length() || !Character.isLowSurrogate(text.charAt(i + 1))) {
					return false;
				}
				i++;
			}
			else if (Character.isLowSurrogate(unit)) {
				return false;
			}
		}
		return true;
	}

	private static byte[] digest(byte[] encoded) {
		byte[] digest;
		try {
			digest = MessageDigest.getInstance("SHA-256").digest(encoded);
		}
		catch (NoSuchAlgorithmException ex) {
			throw new IllegalStateException("SHA-256 is required of every JVM", ex);
		}
		byte[] result = new byte[1 + digest.length * 2];
		result[0] = '#';
		for (int i = 0; i < digest.length; i++) {
			result[1 + 2 * i] = (byte) HEX[(digest[i] >> 4) & 0xF];
			result[2 + 2 * i] = (byte) HEX[digest[i] & 0xF];
		}
		return result;
	}

}
