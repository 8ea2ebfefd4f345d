/*
 * quorum-recogniser: streaming speech recognition with CMU PocketSphinx (libpocketsphinx).
 *
 * Reads 16-bit signed little-endian mono PCM from stdin as it arrives and writes one JSON object per
 * line to stdout, in the shape a Vosk server answers with:
 *   {"partial":"words so far"}                                 while someone speaks;
 *   {"text":"...","result":[{"word":"w","start":s,"end":e,"conf":c},...]}   when an utterance ends.
 * Times are seconds from the first sample read. Tokens are the decoder's own (fillers such as <sil>
 * and [NOISE], alternate pronunciations such as the(2)); the reader decides what to show.
 *
 * Utterances are cut by the decoder's voice activity detector, as pocketsphinx_continuous does.
 * Arguments are PocketSphinx's own (-hmm, -lm, -dict, -samprate, ...), plus -partial_ms N: how much
 * audio passes between two partial results (0: none; default 250).
 *
 * Build: cc -O2 recogniser.c $(pkg-config --cflags --libs pocketsphinx sphinxbase) -o quorum-recogniser
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <pocketsphinx.h>

#define CHUNK_SAMPLES 1024

static void put_json_string(const char *s)
{
    putchar('"');
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\')
            printf("\\%c", c);
        else if (c < 0x20)
            printf("\\u%04x", c);
        else
            putchar(c);
    }
    putchar('"');
}

static void put_partial(ps_decoder_t *ps, char **last)
{
    const char *hyp = ps_get_hyp(ps, NULL);
    if (!hyp || !*hyp)
        return;
    if (*last && strcmp(*last, hyp) == 0)
        return;
    free(*last);
    *last = strdup(hyp);
    printf("{\"partial\":");
    put_json_string(hyp);
    printf("}\n");
    fflush(stdout);
}

static void put_final(ps_decoder_t *ps, int frame_rate)
{
    const char *hyp = ps_get_hyp(ps, NULL);
    printf("{\"text\":");
    put_json_string(hyp ? hyp : "");
    printf(",\"result\":[");
    int first = 1;
    for (ps_seg_t *seg = ps_seg_iter(ps); seg; seg = ps_seg_next(seg)) {
        int sf, ef;
        ps_seg_frames(seg, &sf, &ef);
        double conf = logmath_exp(ps_get_logmath(ps), ps_seg_prob(seg, NULL, NULL, NULL));
        printf("%s{\"word\":", first ? "" : ",");
        put_json_string(ps_seg_word(seg));
        printf(",\"start\":%.3f,\"end\":%.3f,\"conf\":%.3f}", (double)sf / frame_rate, (double)(ef + 1) / frame_rate, conf);
        first = 0;
    }
    printf("]}\n");
    fflush(stdout);
}

int main(int argc, char *argv[])
{
    long partial_ms = 250;
    /* -partial_ms is ours: take it out before PocketSphinx reads the rest. */
    int n = 1;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "-partial_ms") == 0 && i + 1 < argc) {
            partial_ms = strtol(argv[++i], NULL, 10);
            continue;
        }
        argv[n++] = argv[i];
    }
    argc = n;

    cmd_ln_t *config = cmd_ln_parse_r(NULL, ps_args(), argc, argv, TRUE);
    if (!config) {
        fprintf(stderr, "quorum-recogniser: bad arguments\n");
        return 2;
    }
    ps_decoder_t *ps = ps_init(config);
    if (!ps) {
        fprintf(stderr, "quorum-recogniser: the model could not be loaded\n");
        return 3;
    }
    int frame_rate = cmd_ln_int32_r(config, "-frate");
    long sample_rate = (long)cmd_ln_float32_r(config, "-samprate");
    long partial_every = partial_ms > 0 ? sample_rate * partial_ms / 1000 : 0;

    int16 buf[CHUNK_SAMPLES];
    unsigned char *bytes = (unsigned char *)buf;
    size_t have = 0; /* bytes in buf, possibly half a sample at the end */
    int in_utt = 0;
    long since_partial = 0;
    char *last_partial = NULL;

    ps_start_stream(ps);
    ps_start_utt(ps);
    for (;;) {
        ssize_t got = read(STDIN_FILENO, bytes + have, sizeof buf - have);
        if (got < 0 && errno == EINTR)
            continue;
        if (got <= 0)
            break;
        have += (size_t)got;
        size_t samples = have / 2;
        if (!samples)
            continue;
        ps_process_raw(ps, buf, samples, FALSE, FALSE);
        size_t rest = have - samples * 2;
        if (rest)
            bytes[0] = bytes[samples * 2];
        have = rest;

        int speech = ps_get_in_speech(ps);
        if (speech && !in_utt) {
            in_utt = 1;
            since_partial = 0;
        }
        if (in_utt && speech && partial_every) {
            since_partial += (long)samples;
            if (since_partial >= partial_every) {
                since_partial = 0;
                put_partial(ps, &last_partial);
            }
        }
        if (!speech && in_utt) {
            ps_end_utt(ps);
            put_final(ps, frame_rate);
            ps_start_utt(ps);
            in_utt = 0;
            free(last_partial);
            last_partial = NULL;
        }
    }
    ps_end_utt(ps);
    if (in_utt)
        put_final(ps, frame_rate);
    free(last_partial);
    ps_free(ps);
    cmd_ln_free_r(config);
    return 0;
}
