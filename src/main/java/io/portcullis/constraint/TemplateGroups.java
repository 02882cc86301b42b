package io.portcullis.constraint;

import io.portcullis.engine.RegoModule;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * Splits templates into groups that can be compiled into one module. In Gatekeeper every template has a compiler of
 * its own, so two templates may declare the same package (the library's {@code k8spspseccomp} is declared by two
 * templates) or the same lib package with different code; such templates go to different groups. Templates that
 * read {@code data.inventory} are grouped apart, as their instances hold an inventory snapshot that changes with
 * every synced object while the others' never do.
 */
final class TemplateGroups {
    private TemplateGroups() {
    }

    /** Groups of templates, first fit in the given order; every template lands in exactly one group. */
    static List<List<CompiledTemplate>> of(Collection<CompiledTemplate> templates, int maxGroupSize) {
        List<List<CompiledTemplate>> groups = new ArrayList<>();
        for (CompiledTemplate template : templates) {
            List<CompiledTemplate> home = null;
            for (List<CompiledTemplate> group : groups) {
                if (group.size() < maxGroupSize && group.get(0).usesInventory() == template.usesInventory()
                        && group.stream().noneMatch(other -> conflict(template, other))) {
                    home = group;
                    break;
                }
            }
            if (home == null) {
                home = new ArrayList<>();
                groups.add(home);
            }
            home.add(template);
        }
        return groups;
    }

    /**
     * Whether the two templates' packages would merge in one module: one package equal to or nested in another,
     * except a lib module that both carry verbatim (included once).
     */
    static boolean conflict(CompiledTemplate a, CompiledTemplate b) {
        for (int i = 0; i < a.packagePaths().size(); i++) {
            for (int j = 0; j < b.packagePaths().size(); j++) {
                List<String> p = a.packagePaths().get(i);
                List<String> q = b.packagePaths().get(j);
                if (!overlaps(p, q)) {
                    continue;
                }
                boolean sameLib = i > 0 && j > 0 && p.equals(q) && sameCode(a.modules().get(i), b.modules().get(j));
                if (!sameLib) {
                    return true;
                }
            }
        }
        return false;
    }

    private static boolean overlaps(List<String> p, List<String> q) {
        int n = Math.min(p.size(), q.size());
        return p.subList(0, n).equals(q.subList(0, n));
    }

    private static boolean sameCode(RegoModule a, RegoModule b) {
        return a.version() == b.version() && a.source().equals(b.source());
    }
}
