package io.portcullis.webhook;

import io.portcullis.admission.AdmissionHandler;
import io.portcullis.admission.AdmissionRequest;
import io.portcullis.admission.AdmissionResponse;

/**
 * Stand-in used only while no real handler bean is defined for a webhook: admits everything, unchanged.
 * The server logs a warning at startup when it falls back to this.
 */
public final class AllowAllHandler implements AdmissionHandler {

    @Override
    public AdmissionResponse handle(AdmissionRequest request) {
        return AdmissionResponse.allow();
    }
}
