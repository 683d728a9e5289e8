package io.scanstream.review.remote;

import io.scanstream.review.domain.ModelCatalogue;
import io.scanstream.review.domain.RemoteServiceException;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.time.Duration;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The models page's client against a stub of training-service's version history and rollback contract. */
class TrainingCatalogueTest {

    private static final Optional<String> TOKEN = Optional.of("user-token");

    @Test
    void readsTheVersionsNewestFirstAsTrainingListsThem() throws Exception {
        try (StubServer training = new StubServer(); StubServer inference = new StubServer()) {
            training.on("GET /models", StubServer.Reply.json(200, """
                    [{"version":"v3","createdAt":"2026-12-01T10:00:00Z","backboneId":"mobilenet_v2:abc","mode":"HEAD",
                      "metrics":{"auc":0.91,"intervals":{"auc":{"lower":0.85,"upper":0.95}}},"runId":"r3",
                      "serving":true,"rollbackOf":"v1"},
                     {"version":"v2","createdAt":"2026-11-30T10:00:00Z","backboneId":"mobilenet_v2:abc","mode":"HEAD",
                      "metrics":{"auc":0.88},"runId":"r2","serving":false,"rollbackOf":null}]"""));
            inference.on("GET /model", StubServer.Reply.json(200, "{\"backbone\":\"mobilenet_v2:abc\",\"headVersion\":\"v3\"}"));
            var catalogue = new TrainingCatalogue(training.uri(), inference.uri(), Duration.ofSeconds(5));

            var models = catalogue.models(TOKEN);
            assertThat(models).extracting(ModelCatalogue.ModelRecord::version).containsExactly("v3", "v2");
            assertThat(models.get(0).serving()).isTrue();
            assertThat(models.get(0).rollbackOf()).isEqualTo("v1");
            assertThat(models.get(0).metrics()).containsEntry("auc", 0.91);
            assertThat(models.get(1).rollbackOf()).isNull();
            assertThat(catalogue.servedVersion(TOKEN)).contains("v3");
            assertThat(training.calls).allSatisfy(c -> assertThat(c.authorization()).isEqualTo("Bearer user-token"));
        }
    }

    @Test
    void rollsBackAndReportsEachRefusalOfTheContract() throws Exception {
        try (StubServer training = new StubServer()) {
            var catalogue = new TrainingCatalogue(training.uri(), training.uri(), Duration.ofSeconds(5));
            training.on("POST /models/rollback", StubServer.Reply.json(202, "{\"version\":\"v4\",\"rollbackOf\":\"v2\"}"));
            assertThat(catalogue.rollback("v2", TOKEN)).isEqualTo(new ModelCatalogue.RolledBack("v4", "v2"));
            assertThat(training.calls.get(0).body()).isEqualTo("{\"version\":\"v2\"}");

            training.on("POST /models/rollback", StubServer.Reply.json(404, "{\"error\":\"no version v9\"}"));
            assertThat(catalogue.rollback("v9", TOKEN)).isInstanceOfSatisfying(ModelCatalogue.UnknownVersion.class,
                    u -> assertThat(u.message()).contains("404").contains("no version v9"));
            training.on("POST /models/rollback", StubServer.Reply.json(409, "{\"error\":\"v1 was withdrawn\"}"));
            assertThat(catalogue.rollback("v1", TOKEN)).isInstanceOfSatisfying(ModelCatalogue.NotRestorable.class,
                    n -> assertThat(n.message()).contains("withdrawn"));
            training.on("POST /models/rollback", StubServer.Reply.json(403, "{}"));
            assertThat(catalogue.rollback("v1", TOKEN)).isInstanceOf(ModelCatalogue.Forbidden.class);
            training.on("POST /models/rollback", StubServer.Reply.json(500, "{\"error\":\"boom\"}"));
            assertThatThrownBy(() -> catalogue.rollback("v1", TOKEN)).isInstanceOf(RemoteServiceException.class)
                    .hasMessageContaining("training-service answered 500: boom");
            assertThatThrownBy(() -> catalogue.rollback(" ", TOKEN)).isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void readsTheRunsGateDecisionsAndPlotsFromTheirReports() throws Exception {
        try (StubServer training = new StubServer()) {
            training.on("GET /training/runs", StubServer.Reply.json(200,
                    "[{\"id\":\"r2\",\"state\":\"RUNNING\"},{\"id\":\"r1\",\"state\":\"DONE\"}]"));
            training.on("GET /training/runs/r1/report", StubServer.Reply.json(200, """
                    {"runId":"r1","mode":"HEAD","outcome":"PUBLISHED","version":"v2","finishedAt":"2026-12-01T09:00:00Z",
                     "gate":{"publish":true,"reason":"challenger better","metric":"AUC","challenger":0.9,"champion":0.8,
                             "championVersion":"v1"},
                     "plots":{"roc":"/training/runs/r1/report/roc.png","odd":"/training/runs/r1/report/a b?.png"}}"""));
            training.on("GET /training/runs/r1/report/roc.png", new StubServer.Reply(200, "image/png", new byte[] {1, 2, 3}));
            var catalogue = new TrainingCatalogue(training.uri(), training.uri(), Duration.ofSeconds(5));

            var runs = catalogue.runs(TOKEN);
            assertThat(runs).hasSize(1); // r2 has no report yet
            var run = runs.get(0);
            assertThat(run.gatePublish()).isTrue();
            assertThat(run.championVersion()).isEqualTo("v1");
            assertThat(run.challenger()).isEqualTo(0.9);
            assertThat(run.plots()).containsExactly(java.util.Map.entry("roc", "roc.png"));
            assertThat(catalogue.plot("r1", "roc.png", TOKEN)).hasValue(new byte[] {1, 2, 3});
            assertThat(catalogue.plot("r1", "loss.png", TOKEN)).isEmpty();
            assertThatThrownBy(() -> catalogue.plot("r1", "../secret.png", TOKEN))
                    .isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void anUnreachableServiceIsNamedInTheError() {
        var catalogue = new TrainingCatalogue(URI.create("http://127.0.0.1:1"), URI.create("http://127.0.0.1:1"),
                Duration.ofSeconds(2));
        assertThatThrownBy(() -> catalogue.models(TOKEN)).isInstanceOf(RemoteServiceException.class)
                .hasMessageContaining("training-service").hasMessageContaining("cannot be reached");
    }
}
