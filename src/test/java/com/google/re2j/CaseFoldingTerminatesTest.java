package com.google.re2j;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * RE2/J 1.8 folds case by following Unicode.simpleFold around a character's orbit until it comes back; it mixes
 * its Unicode 6.0 orbit table with the JDK's newer case mappings, and where those disagree the loop never ends
 * and compiling a (?i) pattern hangs. Portcullis keeps exactly these characters from RE2/J under (?i) (see
 * GoSyntax.UNFOLDABLE_LO); a newer JDK or RE2/J that changes the set fails here rather than in production. In
 * RE2/J's package because simpleFold is package-private.
 */
class CaseFoldingTerminatesTest {
    @Test
    void onlyTheKnownCyrillicVariantsNeverFoldBack() {
        List<String> endless = new ArrayList<>();
        for (int c = Unicode.MIN_FOLD; c <= Unicode.MAX_FOLD; c++) {
            int f = Unicode.simpleFold(c);
            for (int steps = 0; f != c && steps < 16; steps++) {
                f = Unicode.simpleFold(f);
            }
            if (f != c) {
                endless.add(Integer.toHexString(c));
            }
        }
        assertThat(endless).containsExactly("1c80", "1c81", "1c82", "1c83", "1c84", "1c85", "1c86", "1c87", "1c88");
    }
}
