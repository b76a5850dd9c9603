package io.polarstack.orchestrator.rest;

import io.polarstack.orchestrator.engine.ClusterBusyException;
import jakarta.annotation.Priority;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.Map;
import org.camunda.bpm.engine.rest.exception.RestException;
import org.glassfish.jersey.spi.ExtendedExceptionMapper;
import org.springframework.boot.autoconfigure.jersey.ResourceConfigCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * {@code /engine-rest} answers a start refused by the cluster flow guard with 409 Conflict, as the domain REST does,
 * instead of the 500 it gives every failed start. Only that refusal: every other error keeps Camunda's mapping.
 */
@Configuration(proxyBeanMethods = false)
class EngineRestConflicts {

    @Bean
    ResourceConfigCustomizer clusterBusyConflict() {
        return config -> config.register(ClusterBusyMapper.class);
    }

    /** Ranked before Camunda's RestException mapper (priority 5000), and mappable only for the guard's refusal. */
    @Priority(1)
    static class ClusterBusyMapper implements ExtendedExceptionMapper<RestException> {

        @Override
        public boolean isMappable(RestException exception) {
            return ClusterBusyException.in(exception).isPresent();
        }

        @Override
        public Response toResponse(RestException exception) {
            var busy = ClusterBusyException.in(exception).orElseThrow();
            return Response.status(Response.Status.CONFLICT)
                    .type(MediaType.APPLICATION_JSON_TYPE)
                    .entity(Map.of("type", ClusterBusyException.class.getSimpleName(), "message", busy.getMessage()))
                    .build();
        }
    }
}
