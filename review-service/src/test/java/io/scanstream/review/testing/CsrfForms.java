package io.scanstream.review.testing;

import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Posts a page's form as a browser does: GET the page (which sets the CSRF cookie and writes the same token into
 * the form's hidden field), then POST with both. Checks on the way that the page really carries the token.
 */
public final class CsrfForms {

    public static final String FIELD = "csrf-token";
    public static final String COOKIE = "csrf-token";
    private static final Pattern HIDDEN = Pattern.compile(
            "<input type=\"hidden\" name=\"" + FIELD + "\" value=\"([^\"]+)\">");

    private CsrfForms() {
    }

    /** A request carrying the cookie and the hidden field of the form on {@code page}. */
    public static RequestSpecification fromPage(String page) {
        Response response = given().get(page);
        assertThat(response.statusCode()).as("GET " + page).isEqualTo(200);
        String cookie = response.getCookie(COOKIE);
        assertThat(cookie).as("the CSRF cookie set by GET " + page).isNotBlank();
        Matcher hidden = HIDDEN.matcher(response.asString());
        assertThat(hidden.find()).as("a hidden CSRF field in the form of " + page).isTrue();
        assertThat(hidden.group(1)).isEqualTo(cookie);
        return given().cookie(COOKIE, cookie).formParam(FIELD, hidden.group(1));
    }
}
