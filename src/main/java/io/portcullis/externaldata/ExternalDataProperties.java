package io.portcullis.externaldata;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * {@code portcullis.external-data.*}.
 *
 * @param providerResponseCacheTtl Gatekeeper's {@code --external-data-provider-response-cache-ttl}: how long a
 *     provider's answer for a key is reused; 0 turns the cache off
 */
@ConfigurationProperties("portcullis.external-data")
public record ExternalDataProperties(@DefaultValue("3m") Duration providerResponseCacheTtl) {
}
