# syntax=docker/dockerfile:1
# Build: a static, CGO-free binary (SQLite is pure Go).
FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
ARG VERSION=dev
RUN CGO_ENABLED=0 go build -trimpath -ldflags="-s -w -X main.version=${VERSION}" -o /out/tandem ./cmd/tandem \
 && mkdir -p /out/data

# Run: distroless static, as the non-root user 65532.
FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/tandem /tandem
COPY --from=build --chown=65532:65532 /out/data /data
ENV TANDEM_ADDR=:8080 TANDEM_DATA_DIR=/data
EXPOSE 8080
VOLUME /data
USER 65532:65532
ENTRYPOINT ["/tandem"]
CMD ["serve"]
