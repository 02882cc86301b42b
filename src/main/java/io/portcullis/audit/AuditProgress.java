package io.portcullis.audit;

/** Told how a long audit run is getting on, for a progress line. Called on the auditing thread. */
@FunctionalInterface
public interface AuditProgress {
    AuditProgress NONE = (resource, reviewed, violations) -> { };

    /**
     * @param resource what is being listed now, e.g. {@code pods} or {@code deployments.apps}
     * @param reviewed objects reviewed so far in the run
     * @param violations violations found so far in the run
     */
    void update(String resource, long reviewed, long violations);
}
