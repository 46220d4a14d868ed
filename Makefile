# ewsgw: make | make test | make demo | make bench | make clean
# Every output goes under build/.

PKGS     := libevent libevent_openssl libevent_pthreads libcurl libxml-2.0 openssl jansson sqlite3 inih
CC       ?= cc
BUILD    ?= build
WARN     := -Wall -Wextra -Wshadow -Wpointer-arith -Wcast-qual \
            -Wstrict-prototypes -Wmissing-prototypes -Wmissing-declarations \
            -Wsign-compare -Wformat=2 -Wno-unused-parameter
CFLAGS   ?= -O2 -g
override CFLAGS += -std=c17 -D_GNU_SOURCE $(WARN) -MMD -MP -I. \
            $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
override LDLIBS += $(shell pkg-config --libs $(PKGS) 2>/dev/null) -lpthread

# The gateway: everything but the test tree. main.c holds main(); the
# rest goes into a library the unit tests link against too.
LIB_SRC  := log.c $(wildcard conf/*.c net/*.c soap/*.c auth/*.c proxy/*.c cli/*.c)
LIB_OBJ  := $(LIB_SRC:%.c=$(BUILD)/%.o)
FAKE_SRC := $(wildcard tests/fake365/*.c)
FAKE_OBJ := $(FAKE_SRC:%.c=$(BUILD)/%.o)
UNIT_SRC := $(wildcard tests/unit/test_*.c)
UNIT_BIN := $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)
TOOL_SRC := $(wildcard tests/tools/*.c)
TOOL_BIN := $(TOOL_SRC:tests/tools/%.c=$(BUILD)/tests/%)

.PHONY: all deps test unit e2e demo bench clean asan

all: $(BUILD)/ewsgw $(BUILD)/fake365

deps:
	@sh scripts/deps.sh

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -c -o $@ $<

$(BUILD)/libewsgw.a: $(LIB_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(BUILD)/ewsgw: $(BUILD)/main.o $(BUILD)/libewsgw.a
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/fake365: $(FAKE_OBJ) $(BUILD)/log.o
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/tests/test_%: $(BUILD)/tests/unit/test_%.o $(BUILD)/libewsgw.a
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS) -lcmocka

$(BUILD)/tests/%: $(BUILD)/tests/tools/%.o $(BUILD)/libewsgw.a
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

test: deps
	@$(MAKE) --no-print-directory all $(UNIT_BIN) $(TOOL_BIN)
	@sh tests/run.sh

unit: all $(UNIT_BIN)
	@sh tests/run.sh unit

e2e: all $(TOOL_BIN)
	@sh tests/run.sh e2e

demo: deps
	@$(MAKE) --no-print-directory all
	@sh scripts/demo.sh

bench: deps
	@$(MAKE) --no-print-directory all
	@sh bench/run.sh

asan:
	$(MAKE) BUILD=build/asan CFLAGS="-O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer" \
	    LDFLAGS="-fsanitize=address,undefined" all

clean:
	rm -rf $(BUILD)

-include $(LIB_OBJ:.o=.d) $(FAKE_OBJ:.o=.d) $(BUILD)/main.d
