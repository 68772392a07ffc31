package dev.resilience.boot.redis;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * How a per-key limiter's key names its bucket in Redis: distinct keys never meet, short
 * keys stay readable, long ones cost a bounded number of bytes.
 */
class KeyEncodingTests {

	@Test
	void shortKeysAreReadableAndSayTheirType() {
		assertThat(text(KeyEncoding.encode("ann"))).isEqualTo("s:ann");
		assertThat(text(KeyEncoding.encode("zoë"))).isEqualTo("s:zoë");
		assertThat(text(KeyEncoding.encode(42))).isEqualTo("i:42");
		assertThat(text(KeyEncoding.encode(42L))).isEqualTo("l:42");
		UUID id = UUID.fromString("123e4567-e89b-12d3-a456-426614174000");
		assertThat(text(KeyEncoding.encode(id))).isEqualTo("o:java.util.UUID:" + id);
	}

	@Test
	void keysOfDifferentTypesOrTextsNeverMeet() {
		List<Object> keys = List.of(1, "1", 1L, "i:1", "l:1", true, "true", "o:java.lang.Boolean:true", "\uD800",
				"\uDC00", "?", "\uFFFD", "S:d800", "s:", "", "a:b", "\uD83D\uDE00", "\uD83D", "\uDE00\uD83D",
				"x".repeat(200), "x".repeat(201));
		Set<String> encodings = new HashSet<>();
		for (Object key : keys) {
			encodings.add(text(KeyEncoding.encode(key)));
		}
		assertThat(encodings).hasSameSizeAs(keys);
	}

	@Test
	void aLoneSurrogateIsWrittenAsItsCodeUnits() {
		assertThat(text(KeyEncoding.encode("a\uD800"))).isEqualTo("S:0061d800");
		assertThat(KeyEncoding.isWellFormed("\uD83D\uDE00")).isTrue();
		assertThat(KeyEncoding.isWellFormed("\uDE00\uD83D")).isFalse();
	}

	@Test
	void aLongKeyIsStoredAsItsDigestOfBoundedLength() {
		List<String> encodings = new ArrayList<>();
		for (int length : new int[] { 126, 127, 100_000 }) {
			encodings.add(text(KeyEncoding.encode("k".repeat(length))));
		}
		assertThat(encodings.get(0)).as("as long as kept").startsWith("s:k").hasSize(KeyEncoding.MAX_READABLE_BYTES);
		assertThat(encodings.subList(1, 3)).allSatisfy((encoding) -> assertThat(encoding).startsWith("#").hasSize(65));
		assertThat(encodings.get(1)).isNotEqualTo(encodings.get(2));
		assertThat(KeyEncoding.encode("k".repeat(1_000))).isEqualTo(KeyEncoding.encode("k".repeat(1_000)))
			.isNotEqualTo(KeyEncoding.encode("k".repeat(1_001)));
	}

	private static String text(byte[] encoding) {
		return new String(encoding, StandardCharsets.UTF_8);
	}

}
