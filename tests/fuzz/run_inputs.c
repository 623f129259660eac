/* Replays fuzz inputs through a fuzz target without libFuzzer, so the
 * ordinary (gcc, ASan+UBSan) test build checks every seed and regression
 * input on each run: usage: fuzz_run_TARGET FILE|DIR...
 * A failed property aborts, which fails the test. */
#include <dirent.h>
#include <errno.h>
#include <sys/stat.h>

#include "fuzz.h"

static int run_file(const char *path)
{
  FILE *f = fopen(path, "rb");
  uint8_t *buf = NULL;
  long n;

  if(!f || fseek(f, 0, SEEK_END) || (n = ftell(f)) < 0 ||
     fseek(f, 0, SEEK_SET)) {
    fprintf(stderr, "cannot read %s: %s\n", path, strerror(errno));
    if(f)
      fclose(f);
    return -1;
  }
  buf = malloc(n ? (size_t)n : 1);   /* exactly n: ASan sees overreads */
  if(!buf || fread(buf, 1, (size_t)n, f) != (size_t)n) {
    fprintf(stderr, "cannot read %s\n", path);
    free(buf);
    fclose(f);
    return -1;
  }
  fclose(f);
  LLVMFuzzerTestOneInput(buf, (size_t)n);
  free(buf);
  return 0;
}

int main(int argc, char **argv)
{
  int i, files = 0, bad = 0;

  if(argc < 2 || !strcmp(argv[1], "--help")) {
    printf("usage: %s FILE|DIR...\nRuns every input through the fuzz "
           "target once (no fuzzing).\n", argv[0]);
    return argc < 2 ? 2 : 0;
  }
  for(i = 1; i < argc; i++) {
    struct stat st;
    DIR *d;
    struct dirent *e;
    char path[4096];

    if(stat(argv[i], &st)) {
      if(errno == ENOENT)
        continue;       /* an empty regress/ folder is not committed */
      fprintf(stderr, "%s: %s\n", argv[i], strerror(errno));
      return 1;
    }
    if(!S_ISDIR(st.st_mode)) {
      bad += run_file(argv[i]) != 0;
      files++;
      continue;
    }
    d = opendir(argv[i]);
    if(!d) {
      fprintf(stderr, "%s: %s\n", argv[i], strerror(errno));
      return 1;
    }
    while((e = readdir(d))) {
      if(e->d_name[0] == '.')
        continue;
      snprintf(path, sizeof(path), "%s/%s", argv[i], e->d_name);
      bad += run_file(path) != 0;
      files++;
    }
    closedir(d);
  }
  printf("%d inputs, %d unreadable\n", files, bad);
  return bad || !files;
}
