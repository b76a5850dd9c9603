package io.polarstack.orchestrator.rest;

import java.time.Clock;
import org.camunda.bpm.engine.rest.security.auth.ProcessEngineAuthenticationFilter;
import org.camunda.bpm.engine.rest.security.auth.impl.HttpBasicAuthenticationProvider;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;

/**
 * The engine REST API and the orchestrator's own API answer only to engine users (HTTP Basic); authorizations then
 * apply per user. Failed logins lock the client address they came from, never the user (see {@link LoginThrottle}).
 */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(LoginProperties.class)
class RestSecurityConfiguration {

    @Bean
    LoginThrottle loginThrottle(LoginProperties properties) {
        return new LoginThrottle(properties.settings(), Clock.systemUTC());
    }

    /** Before the authentication below, and before the webapps' own login resource. */
    @Bean
    FilterRegistrationBean<LoginThrottleFilter> loginThrottling(
            LoginThrottle throttle, @Value("${camunda.bpm.webapp.application-path:/camunda}") String webapps) {
        var registration = new FilterRegistrationBean<>(new LoginThrottleFilter(throttle));
        registration.addUrlPatterns("/engine-rest/*", "/api/*", webapps + "/api/admin/auth/user/*");
        registration.setOrder(Ordered.HIGHEST_PRECEDENCE + 100);
        return registration;
    }

    @Bean
    FilterRegistrationBean<ProcessEngineAuthenticationFilter> engineRestAuthentication() {
        var registration = new FilterRegistrationBean<>(new ProcessEngineAuthenticationFilter());
        registration.addUrlPatterns("/engine-rest/*", "/api/*");
        registration.addInitParameter(
                ProcessEngineAuthenticationFilter.AUTHENTICATION_PROVIDER_PARAM,
                HttpBasicAuthenticationProvider.class.getName());
        return registration;
    }
}
