SUITES += session
session_SRCS := ../../tlshd/session.c ../../tlshd/keysched.c ../../tlshd/proto.c \
		../../tlshd/negotiate.c ../../tlshd/log.c
session_CFLAGS := -D_GNU_SOURCE
session_LIBS := -lcrypto
