# The two commands the README promises, plus the pieces they are made of.
.PHONY: run test build generate check-generated bootstrap

## run: build and start the five services on loopback (stores under ./data); Ctrl-C stops them
run: bootstrap build
	"$$(swift build --show-bin-path)/crm" up

## test: everything CI runs: codegen check, Swift tests (unit + real executables), Python interop,
## deploy manifests (rendered and schema-checked) and one release build run as the image runs it
test:
	./scripts/bootstrap.sh --with-python
	./proto/generate.sh --check
	swift build --build-tests
	swift test --skip-build --no-parallel
	python3 -m pytest -q Tests/Deploy
	python3 -m pytest -q Tests/Interop

build:
	swift build

bootstrap:
	./scripts/bootstrap.sh

## generate: regenerate Shared/Contracts/Generated after a .proto change
generate:
	./proto/generate.sh
