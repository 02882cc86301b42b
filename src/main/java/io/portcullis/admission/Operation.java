package io.portcullis.admission;

/** The operations the API server sends to admission webhooks. */
public enum Operation {
    CREATE,
    UPDATE,
    DELETE,
    CONNECT
}
