/* kafka-mock-sink: a Kafka cluster for scripts/bench-e2e --kafka-sink. Starts librdkafka's mock
 * cluster (real Kafka protocol on loopback; no broker is packaged for Debian), creates TOPIC with
 * PARTITIONS partitions, writes the bootstrap address to PORT_FILE, then consumes TOPIC from the
 * start and appends each message's value and an LF to OUTPUT, until SIGTERM. SIGUSR1 takes the
 * broker down (connections cut, new ones refused), SIGUSR2 brings it back: the outage for
 * scripts/fire-drill --block 'kill -USR1 PID' --unblock 'kill -USR2 PID'.
 * Build: cc -O2 -o kafka-mock-sink kafka-mock-sink.c -lrdkafka
 * Usage: kafka-mock-sink PORT_FILE OUTPUT TOPIC PARTITIONS */
#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static volatile sig_atomic_t running = 1;
static volatile sig_atomic_t broker_wanted_up = 1;
static void stop(int sig) { (void)sig; running = 0; }
static void down(int sig) { (void)sig; broker_wanted_up = 0; }
static void up(int sig) { (void)sig; broker_wanted_up = 1; }

int main(int argc, char **argv) {
    if (argc != 5) { fprintf(stderr, "usage: %s PORT_FILE OUTPUT TOPIC PARTITIONS\n", argv[0]); return 2; }
    char err[512];
    int partitions = atoi(argv[4]);
    rd_kafka_t *holder = rd_kafka_new(RD_KAFKA_PRODUCER, rd_kafka_conf_new(), err, sizeof err);
    if (!holder) { fprintf(stderr, "%s\n", err); return 1; }
    rd_kafka_mock_cluster_t *cluster = rd_kafka_mock_cluster_new(holder, 1);
    if (!cluster) { fprintf(stderr, "mock cluster failed\n"); return 1; }
    rd_kafka_mock_topic_create(cluster, argv[3], partitions, 1);
    const char *bootstraps = rd_kafka_mock_cluster_bootstraps(cluster);

    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    rd_kafka_conf_set(conf, "bootstrap.servers", bootstraps, err, sizeof err);
    rd_kafka_conf_set(conf, "group.id", "bench", err, sizeof err);
    rd_kafka_conf_set(conf, "enable.auto.commit", "false", err, sizeof err);
    rd_kafka_t *consumer = rd_kafka_new(RD_KAFKA_CONSUMER, conf, err, sizeof err);
    if (!consumer) { fprintf(stderr, "%s\n", err); return 1; }
    rd_kafka_topic_partition_list_t *list = rd_kafka_topic_partition_list_new(partitions);
    for (int p = 0; p < partitions; p++)
        rd_kafka_topic_partition_list_add(list, argv[3], p)->offset = RD_KAFKA_OFFSET_BEGINNING;
    rd_kafka_assign(consumer, list);
    rd_kafka_topic_partition_list_destroy(list);

    FILE *out = fopen(argv[2], "a");
    if (!out) { perror(argv[2]); return 1; }
    signal(SIGTERM, stop);
    signal(SIGINT, stop);
    signal(SIGUSR1, down);
    signal(SIGUSR2, up);
    int broker_up = 1;
    /* The port file last: the bench starts auditsieve once it exists. */
    char tmp[4096];
    snprintf(tmp, sizeof tmp, "%s.tmp", argv[1]);
    FILE *port = fopen(tmp, "w");
    if (!port) { perror(tmp); return 1; }
    fprintf(port, "%s\n", bootstraps);
    fclose(port);
    rename(tmp, argv[1]);
    while (running) {
        if (broker_wanted_up != broker_up) {
            broker_up = broker_wanted_up;
            if (broker_up) rd_kafka_mock_broker_set_up(cluster, 1);
            else rd_kafka_mock_broker_set_down(cluster, 1);
            fprintf(stderr, "broker %s\n", broker_up ? "up" : "down");
        }
        rd_kafka_message_t *message = rd_kafka_consumer_poll(consumer, 100);
        if (!message) { fflush(out); continue; }
        if (!message->err) {
            fwrite(message->payload, 1, message->len, out);
            fputc('\n', out);
        }
        rd_kafka_message_destroy(message);
    }
    fclose(out);
    rd_kafka_consumer_close(consumer);
    rd_kafka_destroy(consumer);
    rd_kafka_mock_cluster_destroy(cluster);
    rd_kafka_destroy(holder);
    return 0;
}
