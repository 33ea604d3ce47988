# syntax=docker/dockerfile:1
#
# driftlab's image: the static (musl) binary on distroless/static, which brings CA certificates,
# time zones and a numeric non-root user, and no shell or package manager.
#
#   docker build -t ghcr.io/driftlab/driftlab:0.1.0 .
#
# For arm64 build on an arm64 builder with --build-arg TARGET=aarch64-unknown-linux-musl.

ARG RUST_VERSION=1.95
ARG TARGET=x86_64-unknown-linux-musl

FROM docker.io/library/rust:${RUST_VERSION}-bookworm AS build
ARG TARGET
# musl-tools: a C compiler for musl, for ring's C and assembly code.
# busybox-static: its tar applet alone goes into the image (below).
RUN apt-get update \
 && apt-get install -y --no-install-recommends musl-tools busybox-static \
 && rm -rf /var/lib/apt/lists/* \
 && rustup target add "${TARGET}"
WORKDIR /src
COPY Cargo.toml Cargo.lock ./
COPY src ./src
# `kubectl cp` runs tar in the container: busybox picks its applet by the name it is run as, and
# nothing in the image is named sh or busybox, so the image gains tar and ls but no shell.
RUN cargo build --release --locked --target "${TARGET}" --bin driftlab \
 && mkdir -p /out/usr/local/bin /out/usr/bin \
 && cp "target/${TARGET}/release/driftlab" /out/usr/local/bin/driftlab \
 && cp /bin/busybox /out/usr/bin/tar \
 && ln -s tar /out/usr/bin/ls

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/ /
# Numeric, so that Kubernetes can check runAsNonRoot against it; OpenShift assigns its own.
USER 65532:65532
ENTRYPOINT ["/usr/local/bin/driftlab"]
CMD ["--help"]
