/**
 * Gatekeeper's external data: {@code Provider}s (externaldata.gatekeeper.sh), and the HTTPS client that answers the
 * engine's {@code external_data} builtin ({@link io.portcullis.engine.ExternalData}) from them, with Gatekeeper's
 * request and response shapes, its per-key response cache and mutual TLS with the webhook's own certificate.
 */
package io.portcullis.externaldata;
