/* Sorting guest. Input: one item, a list of 32-bit little-endian numbers.
 * Public output: the same numbers in ascending order. Exit code 2 if the length is not a multiple of 4. */
#include <provernet.h>

/* Heap sort: in place, O(n log n) in the worst case, no recursion. */
static void sift_down(uint32_t *a, size_t start, size_t end) {
    size_t root = start;
    while (2 * root + 1 < end) {
        size_t child = 2 * root + 1;
        if (child + 1 < end && a[child] < a[child + 1]) child++;
        if (a[root] >= a[child]) return;
        uint32_t t = a[root];
        a[root] = a[child];
        a[child] = t;
        root = child;
    }
}

static void heap_sort(uint32_t *a, size_t n) {
    for (size_t i = n / 2; i-- > 0;) sift_down(a, i, n);
    for (size_t end = n; end > 1; end--) {
        uint32_t t = a[0];
        a[0] = a[end - 1];
        a[end - 1] = t;
        sift_down(a, 0, end - 1);
    }
}

int main(void) {
    size_t length;
    uint32_t *values = pn_input(&length);
    if (length % 4 != 0) {
        pn_eprint("sort: the input length is not a multiple of 4\n");
        return 2;
    }
    size_t n = length / 4;
    heap_sort(values, n);
    pn_commit(values, length);
    pn_print("sorted ");
    pn_print_u64(n);
    pn_print(" numbers\n");
    return 0;
}
