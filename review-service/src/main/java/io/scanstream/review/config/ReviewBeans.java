package io.scanstream.review.config;

import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.scanstream.review.domain.Explanations;
import io.scanstream.review.domain.ImageCache;
import io.scanstream.review.domain.LabelPublisher;
import io.scanstream.review.domain.ModelCatalogue;
import io.scanstream.review.domain.ReviewView;
import io.scanstream.review.domain.ScanImages;
import io.scanstream.review.messaging.KafkaLabelPublisher;
import io.scanstream.review.messaging.TopicScanImages;
import io.scanstream.review.messaging.ViewFeeder;
import io.scanstream.review.remote.InferenceExplanations;
import io.scanstream.review.remote.TrainingCatalogue;
import io.scanstream.service.config.TopicNames;
import io.scanstream.service.kafka.KafkaClientSettings;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

import java.time.Duration;

/**
 * The composition root: the view and its feeder, the image reader, the label publisher and the clients of the
 * other services, each Kafka client with its settings from {@link KafkaClientSettings} ({@code review-view},
 * {@code review-images}, {@code review-labels}).
 */
@ApplicationScoped
public class ReviewBeans {

    private final ReviewConfig config;
    private final TopicNames topics;
    private final KafkaClientSettings clients;
    private final ReviewView view;
    private TopicScanImages topicImages;
    private KafkaLabelPublisher labels;
    private ViewFeeder feeder;

    public ReviewBeans(ReviewConfig config, TopicNames topics, KafkaClientSettings clients) {
        this.config = config;
        this.topics = topics;
        this.clients = clients;
        this.view = new ReviewView(config.view().capacity());
    }

    void start(@Observes StartupEvent event) {
        feeder = new ViewFeeder(clients.forClient("review-view", ViewFeeder.requiredSettings()), view,
                topics.predictions(), topics.preprocessed(), topics.labels());
        Thread thread = new Thread(feeder, "review-view-feeder");
        thread.setDaemon(true);
        thread.start();
    }

    void stop(@Observes ShutdownEvent event) {
        if (feeder != null) {
            feeder.close();
        }
        if (topicImages != null) {
            topicImages.close();
        }
        if (labels != null) {
            labels.close();
        }
    }

    /** The feeder, once started (the liveness check asks it). */
    public ViewFeeder feeder() {
        return feeder;
    }

    @Produces
    @Singleton
    ReviewView view() {
        return view;
    }

    @Produces
    @Singleton
    synchronized ScanImages images() {
        topicImages = new TopicScanImages(clients.forClient("review-images", TopicScanImages.requiredSettings()),
                topics.preprocessed(), config.view().imageFetchTimeout());
        return new ImageCache(topicImages, config.view().imageCacheSize());
    }

    @Produces
    @Singleton
    synchronized LabelPublisher labelPublisher() {
        labels = new KafkaLabelPublisher(clients.forClient("review-labels", KafkaLabelPublisher.requiredSettings()),
                topics.labels(), Duration.ofSeconds(30));
        return labels;
    }

    @Produces
    @Singleton
    Explanations explanations() {
        return new InferenceExplanations(config.services().inference(), config.services().timeout());
    }

    @Produces
    @Singleton
    ModelCatalogue models() {
        return new TrainingCatalogue(config.services().training(), config.services().inference(),
                config.services().timeout());
    }
}
