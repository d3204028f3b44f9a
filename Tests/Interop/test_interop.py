"""Interoperability of the five Swift services with an independent gRPC stack (Python grpcio).

Each test starts the real executable on loopback and talks to it only through stubs generated
here from proto/, so it catches what in-process Swift tests cannot: HTTP/2 framing, status and
trailer encoding, reflection descriptors a foreign client can resolve, the listening line
launchers parse, and graceful shutdown with a durable store.
"""

from __future__ import annotations

import json
import subprocess
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

import grpc
import pytest
from google.protobuf import descriptor_pb2, descriptor_pool
from grpc_reflection.v1alpha.proto_reflection_descriptor_database import (
    ProtoReflectionDescriptorDatabase,
)

HEALTH = "grpc.health.v1.Health"
REFLECTION_V1 = "grpc.reflection.v1.ServerReflection"
REFLECTION_V1ALPHA = "grpc.reflection.v1alpha.ServerReflection"
# Deadline of the calls made on channels the `connect` fixture did not open.
RPC_TIMEOUT = 5


# --- the contract of each service, as far as these tests exercise it -----------------------


@dataclass(frozen=True)
class Contract:
    name: str  # segmentation; also the executable's prefix and the proto package segment
    service: str  # SegmentationService
    methods: frozenset[str]  # the RPCs this test calls; the service may offer more
    create: str  # the write RPC
    get: str  # the read RPC that returns what the write stored
    record: str  # field of both responses that holds the stored record
    id_field: str  # field of the record that the get request takes
    # (pb module, unique tag) -> a valid create request carrying an idempotency key
    make_create: Callable[[Any, str], Any]
    # the same request with a different body, for the idempotency-conflict check
    vary: Callable[[Any], None]
    # (pb module, unique tag) -> (invalid create request, field the error must name)
    make_invalid: Callable[[Any, str], tuple[Any, str]]
    # service-owned fields and anything not simply echoed back
    check_created: Callable[[Any, Any, Any], None]

    @property
    def full_name(self) -> str:
        return f"crm.{self.name}.v1.{self.service}"

    @property
    def proto_file(self) -> str:
        return f"crm/{self.name}/v1/{self.name}.proto"


def key(tag: str) -> dict:
    return {"key": f"interop-{tag}"}


def assert_echoed(sent, got) -> None:
    """Every field the caller set comes back unchanged (inputs are already in canonical form)."""
    for field, value in sent.ListFields():
        assert getattr(got, field.name) == value, f"{field.full_name}: sent {value!r}, got {getattr(got, field.name)!r}"


def check_customer(pb, request, response) -> None:
    customer = response.customer
    assert_echoed(request.customer, customer)
    assert customer.customer_id
    assert customer.HasField("create_time") and customer.HasField("update_time")


def check_interaction(pb, request, response) -> None:
    assert_echoed(request.interaction, response.interaction)
    assert response.interaction.interaction_id


def check_ticket(pb, request, response) -> None:
    ticket = response.ticket
    assert_echoed(request.ticket, ticket)
    assert ticket.ticket_id
    assert ticket.status != pb.TICKET_STATUS_UNSPECIFIED
    assert ticket.HasField("create_time")
    assert ticket.first_response_due_time.ToDatetime() > ticket.create_time.ToDatetime()


def check_review(pb, request, response) -> None:
    review = response.review
    assert_echoed(request.review, review)
    assert review.review_id
    # "it waits for moderation before it shows"
    assert review.status == pb.REVIEW_STATUS_PENDING
    assert review.HasField("create_time")


def check_earn(pb, request, response) -> None:
    entry, account = response.entry, response.account
    assert entry.entry_id
    assert (entry.customer_id, entry.kind, entry.points, entry.reason) == (
        request.customer_id, "earn", request.points, request.reason,
    )
    assert account.customer_id == request.customer_id
    assert account.balance == request.points and account.lifetime_points == request.points


def _vary_text(path: str) -> Callable[[Any], None]:
    def vary(request) -> None:
        message, _, field = path.rpartition(".")
        target = getattr(request, message) if message else request
        setattr(target, field, getattr(target, field) + " (changed)")

    return vary


CONTRACTS = [
    Contract(
        name="segmentation",
        service="SegmentationService",
        methods=frozenset({"CreateCustomer", "GetCustomer"}),
        create="CreateCustomer",
        get="GetCustomer",
        record="customer",
        id_field="customer_id",
        make_create=lambda pb, tag: pb.CreateCustomerRequest(
            customer=pb.Customer(
                type=pb.CUSTOMER_TYPE_ENTERPRISE,
                display_name=f"Interop Trading Co {tag}",
                email=f"buyer.{tag}@example.com",
                phone="+8613800138000",
                source_channel="web",
                account_manager="am-007",
                time_zone="Asia/Shanghai",
                tags=["interop", "vip"],  # sorted and unique, as the service keeps them
            ),
            idempotency_key=key(tag),
        ),
        vary=_vary_text("customer.display_name"),
        make_invalid=lambda pb, tag: (
            pb.CreateCustomerRequest(customer=pb.Customer(type=pb.CUSTOMER_TYPE_INDIVIDUAL, display_name="")),
            "display_name",
        ),
        check_created=check_customer,
    ),
    Contract(
        name="interaction",
        service="InteractionService",
        methods=frozenset({"LogInteraction", "GetInteraction"}),
        create="LogInteraction",
        get="GetInteraction",
        record="interaction",
        id_field="interaction_id",
        make_create=lambda pb, tag: pb.LogInteractionRequest(
            interaction=pb.Interaction(
                customer_id=f"cust-{tag}",
                type="care_call",
                channel=pb.CHANNEL_PHONE,
                content="Follow-up call after delivery",
                owner="agent-42",
                # Whole seconds: stores keep milliseconds, and this checks echo, not rounding.
                planned_time={"seconds": 1767225600},
                actual_time={"seconds": 1767229200},
                customer_reply="All good, thanks",
                mood=pb.MOOD_SATISFIED,
                score=5,
            ),
            idempotency_key=key(tag),
        ),
        vary=_vary_text("interaction.content"),
        make_invalid=lambda pb, tag: (
            # "1 to 5, or 0 when the customer gave none"
            pb.LogInteractionRequest(
                interaction=pb.Interaction(customer_id=f"cust-{tag}", type="care_call", channel=pb.CHANNEL_SMS, score=6)
            ),
            "score",
        ),
        check_created=check_interaction,
    ),
    Contract(
        name="feedback",
        service="FeedbackService",
        methods=frozenset({"CreateTicket", "GetTicket"}),
        create="CreateTicket",
        get="GetTicket",
        record="ticket",
        id_field="ticket_id",
        make_create=lambda pb, tag: pb.CreateTicketRequest(
            ticket=pb.Ticket(
                customer_id=f"cust-{tag}",
                kind=pb.TICKET_KIND_COMPLAINT,
                priority=pb.PRIORITY_URGENT,
                channel=pb.INTAKE_CHANNEL_IN_APP,
                category="delivery/late",
                text="The parcel arrived three days late.",
            ),
            idempotency_key=key(tag),
        ),
        vary=_vary_text("ticket.text"),
        make_invalid=lambda pb, tag: (
            # A ticket about nobody.
            pb.CreateTicketRequest(
                ticket=pb.Ticket(
                    customer_id="", kind=pb.TICKET_KIND_FEEDBACK, priority=pb.PRIORITY_NORMAL,
                    channel=pb.INTAKE_CHANNEL_EMAIL, category="product/quality",
                )
            ),
            "customer_id",
        ),
        check_created=check_ticket,
    ),
    Contract(
        name="trust",
        service="TrustService",
        methods=frozenset({"CreateReview", "GetReview"}),
        create="CreateReview",
        get="GetReview",
        record="review",
        id_field="review_id",
        make_create=lambda pb, tag: pb.CreateReviewRequest(
            review=pb.Review(
                customer_id=f"cust-{tag}",
                product_id=f"sku-{tag}",
                rating=4,
                title="Solid kettle",
                text="Boils fast and the lid seals well.",
                order_id=f"order-{tag}",
            ),
            idempotency_key=key(tag),
        ),
        vary=_vary_text("review.text"),
        make_invalid=lambda pb, tag: (
            pb.CreateReviewRequest(
                review=pb.Review(customer_id=f"cust-{tag}", product_id=f"sku-{tag}", rating=0, text="No stars?")
            ),
            "rating",
        ),
        check_created=check_review,
    ),
    Contract(
        name="loyalty",
        service="LoyaltyService",
        methods=frozenset({"EarnPoints", "GetAccount"}),
        create="EarnPoints",
        get="GetAccount",
        record="account",
        id_field="customer_id",
        make_create=lambda pb, tag: pb.EarnPointsRequest(
            customer_id=f"cust-{tag}", points=120, reason=f"order-{tag}", idempotency_key=key(tag),
        ),
        vary=_vary_text("reason"),
        make_invalid=lambda pb, tag: (
            pb.EarnPointsRequest(customer_id=f"cust-{tag}", points=0, reason="nothing", idempotency_key=key(tag + "-bad")),
            "points",
        ),
        check_created=check_earn,
    ),
]


@pytest.fixture(params=CONTRACTS, ids=lambda c: c.name)
def contract(request) -> Contract:
    return request.param


# --- helpers -----------------------------------------------------------------------------------


class Client:
    """The create and get RPCs of one service over one channel, by the contract's names."""

    def __init__(self, contract: Contract, modules, channel: grpc.Channel):
        self.contract = contract
        self.pb = modules.pb
        self.stub = getattr(modules.rpc, f"{contract.service}Stub")(channel)

    def create(self, request):
        return getattr(self.stub, self.contract.create)(request)

    def get(self, record_id: str):
        request = getattr(self.pb, f"{self.contract.get}Request")(**{self.contract.id_field: record_id})
        return getattr(getattr(self.stub, self.contract.get)(request), self.contract.record)


def expect_status(code: grpc.StatusCode, call: Callable[[], Any], what: str) -> grpc.RpcError:
    with pytest.raises(grpc.RpcError) as info:
        call()
    error = info.value
    assert error.code() == code, f"{what}: expected {code.name}, got {error.code().name}: {error.details()!r}"
    return error


def without_source_info(file: descriptor_pb2.FileDescriptorProto) -> descriptor_pb2.FileDescriptorProto:
    # Reflection serves comments (source info) and protoc may fill json_name; neither is part
    # of the wire contract, so drop both before comparing with the locally compiled file.
    copy = descriptor_pb2.FileDescriptorProto()
    copy.CopyFrom(file)
    copy.ClearField("source_code_info")
    messages = list(copy.message_type)
    while messages:
        message = messages.pop()
        for field in message.field:
            field.ClearField("json_name")
        messages.extend(message.nested_type)
    return copy


# --- the tests ---------------------------------------------------------------------------------


def test_health(contract, launcher, connect, stubs):
    server = launcher.start(contract.name)
    health = stubs.health
    stub = health.rpc.HealthStub(connect(server.address))
    serving = health.pb.HealthCheckResponse.SERVING

    for name in ("", contract.full_name):
        response = stub.Check(health.pb.HealthCheckRequest(service=name))
        assert response.status == serving, f"Check({name!r}) -> {response.status}"

    expect_status(
        grpc.StatusCode.NOT_FOUND,
        lambda: stub.Check(health.pb.HealthCheckRequest(service="crm.nothing.v1.NoSuchService")),
        "Health/Check of an unknown service",
    )


def test_reflection_v1alpha_with_grpcio_client(contract, launcher, connect, stubs):
    server = launcher.start(contract.name)
    database = ProtoReflectionDescriptorDatabase(connect(server.address))

    services = set(database.get_services())
    assert {contract.full_name, HEALTH, REFLECTION_V1, REFLECTION_V1ALPHA} <= services, services

    # A pool fed only by the server: it must resolve the service and, through file_by_filename,
    # every import (crm/common, google/protobuf/timestamp) without anything local.
    pool = descriptor_pool.DescriptorPool(database)
    service = pool.FindServiceByName(contract.full_name)
    assert {m.name for m in service.methods} >= contract.methods
    assert {m.name for m in pool.FindServiceByName(HEALTH).methods} >= {"Check", "Watch"}

    # What the server describes is what proto/ says, message for message.
    served = descriptor_pb2.FileDescriptorProto()
    service.file.CopyToProto(served)
    local = descriptor_pb2.FileDescriptorProto()
    stubs.crm[contract.name].pb.DESCRIPTOR.CopyToProto(local)
    assert without_source_info(served) == without_source_info(local)


def test_reflection_v1_with_generated_stubs(contract, launcher, connect, stubs):
    server = launcher.start(contract.name)
    pb = stubs.reflection_v1.pb
    stub = stubs.reflection_v1.rpc.ServerReflectionStub(connect(server.address))

    requests = [
        pb.ServerReflectionRequest(list_services=""),
        pb.ServerReflectionRequest(file_containing_symbol=contract.full_name),
        pb.ServerReflectionRequest(file_containing_symbol="crm.nothing.v1.NoSuchSymbol"),
    ]
    # One stream, several requests: the protocol answers each in order on the same stream.
    responses = list(stub.ServerReflectionInfo(iter(requests)))
    assert len(responses) == len(requests)
    for request, response in zip(requests, responses):
        assert response.original_request == request

    listed, found, missing = responses
    assert listed.WhichOneof("message_response") == "list_services_response", listed
    names = {s.name for s in listed.list_services_response.service}
    assert {contract.full_name, HEALTH, REFLECTION_V1, REFLECTION_V1ALPHA} <= names, names

    assert found.WhichOneof("message_response") == "file_descriptor_response", found
    files = {}
    for raw in found.file_descriptor_response.file_descriptor_proto:
        file = descriptor_pb2.FileDescriptorProto()
        file.ParseFromString(raw)
        files[file.name] = file
    assert contract.proto_file in files, sorted(files)
    file = files[contract.proto_file]
    assert file.package == f"crm.{contract.name}.v1"
    services = {s.name: s for s in file.service}
    assert contract.service in services, sorted(services)
    assert {m.name for m in services[contract.service].method} >= contract.methods

    assert missing.WhichOneof("message_response") == "error_response", missing
    assert missing.error_response.error_code == grpc.StatusCode.NOT_FOUND.value[0]


def test_create_then_get(contract, launcher, connect, stubs):
    server = launcher.start(contract.name)
    modules = stubs.crm[contract.name]
    pb = modules.pb
    client = Client(contract, modules, connect(server.address))
    tag = uuid.uuid4().hex[:12]

    request = contract.make_create(pb, tag)
    created = client.create(request)
    contract.check_created(pb, request, created)
    record = getattr(created, contract.record)
    record_id = getattr(record, contract.id_field)
    assert client.get(record_id) == record, f"{contract.get} differs from what {contract.create} returned"

    # Same key, same body: the first result replayed, nothing written twice (for loyalty, the
    # balance the get returns below would otherwise have doubled).
    assert client.create(request) == created, f"{contract.create} replay with the same key differs"
    changed = contract.make_create(pb, tag)
    contract.vary(changed)
    expect_status(grpc.StatusCode.ALREADY_EXISTS, lambda: client.create(changed),
                  f"{contract.create} reusing a key with another body")
    assert client.get(record_id) == record, "a replayed or refused write changed the record"

    invalid, field = contract.make_invalid(pb, tag)
    error = expect_status(grpc.StatusCode.INVALID_ARGUMENT, lambda: client.create(invalid),
                          f"{contract.create} with bad {field}")
    assert field in (error.details() or ""), f"INVALID_ARGUMENT should name {field}: {error.details()!r}"

    expect_status(grpc.StatusCode.INVALID_ARGUMENT, lambda: client.get(""), f"{contract.get} with an empty id")
    expect_status(grpc.StatusCode.NOT_FOUND, lambda: client.get(f"no-such-{tag}"), f"{contract.get} of an unknown id")


def test_data_survives_restart(contract, launcher, connect, stubs, tmp_path):
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    modules = stubs.crm[contract.name]
    tag = uuid.uuid4().hex[:12]
    request = contract.make_create(modules.pb, tag)

    first = launcher.start(contract.name, data_dir)
    created = Client(contract, modules, connect(first.address)).create(request)
    record = getattr(created, contract.record)

    code = first.terminate()
    assert code is not None, f"{first.name} did not exit within 15 s of SIGTERM (killed)"
    assert code == 0, f"{first.name} exited with {code} after SIGTERM"
    first.await_stdout_closed()
    assert len(first.stdout_lines) == 1, f"stdout must hold only the listening line: {first.stdout_lines}"

    second = launcher.start(contract.name, data_dir)
    client = Client(contract, modules, connect(second.address))
    assert client.get(getattr(record, contract.id_field)) == record
    # The idempotency record is durable too: a retry after the restart replays, not re-applies.
    assert client.create(request) == created


# --- TLS, client certificates and bearer tokens -------------------------------------------------


def test_tls_mtls_and_bearer_tokens(launcher, stubs, tmp_path):
    """A service started with TLS, required client certificates and JWT verification, called by
    grpcio with material from `crm dev-credentials`: the operator's token opens the door, a
    token's scopes bound it, a certificate without grants is refused, and neither a plaintext
    channel nor a TLS channel without a client certificate gets through the handshake."""
    pki = tmp_path / "pki"
    made = launcher.crm("dev-credentials", "--dir", str(pki))
    assert made.returncode == 0, f"crm dev-credentials failed:\n{made.stderr}"

    def mint(subject: str, *scopes: str, directory: Path = pki) -> str:
        result = launcher.crm("dev-credentials", "--dir", str(directory), "--token", subject,
                              *(arg for scope in scopes for arg in ("--scope", scope)))
        assert result.returncode == 0, f"crm dev-credentials --token failed:\n{result.stderr}"
        return result.stdout.strip()

    server = launcher.start("loyalty", extra_args=(
        "--tls-cert-file", str(pki / "services/loyalty.pem"), "--tls-key-file", str(pki / "services/loyalty.key"),
        "--tls-client-ca-file", str(pki / "ca.pem"), "--tls-ca-file", str(pki / "ca.pem"),
        "--auth-jwt-keys-file", str(pki / "jwt/jwks.json"),
    ))
    ca = (pki / "ca.pem").read_bytes()
    operator_certificate = (pki / "clients/operator.pem").read_bytes()
    operator_key = (pki / "clients/operator.key").read_bytes()
    operator_token = (pki / "tokens/operator.jwt").read_text().strip()
    service_token = (pki / "tokens/segmentation.jwt").read_text().strip()

    channels: list[grpc.Channel] = []

    def channel(credentials: grpc.ChannelCredentials | None) -> grpc.Channel:
        options = [("grpc.enable_http_proxy", 0)]
        raw = (grpc.secure_channel(server.address, credentials, options=options) if credentials
               else grpc.insecure_channel(server.address, options=options))
        channels.append(raw)
        return raw

    def bearer(token: str) -> list[tuple[str, str]]:
        return [("authorization", f"Bearer {token}")]

    loyalty = stubs.crm["loyalty"]
    pb = loyalty.pb
    tag = uuid.uuid4().hex[:12]
    customer = f"cust-{tag}"
    try:
        mtls = channel(grpc.ssl_channel_credentials(
            root_certificates=ca, private_key=operator_key, certificate_chain=operator_certificate))
        stub = loyalty.rpc.LoyaltyServiceStub(mtls)

        # The operator's token (scope *) writes and reads over mTLS; the server's certificate
        # checks out against the development CA for 127.0.0.1.
        earned = stub.EarnPoints(
            pb.EarnPointsRequest(customer_id=customer, points=120, reason=f"order-{tag}", idempotency_key=key(tag)),
            metadata=bearer(operator_token), timeout=RPC_TIMEOUT)
        account = stub.GetAccount(pb.GetAccountRequest(customer_id=customer), metadata=bearer(operator_token),
                                  timeout=RPC_TIMEOUT).account
        assert account == earned.account and account.customer_id == customer

        # A fresh token with loyalty.read reads, but may not earn (an operate call).
        reader = mint("console", "loyalty.read")
        assert stub.GetAccount(pb.GetAccountRequest(customer_id=customer), metadata=bearer(reader),
                               timeout=RPC_TIMEOUT).account == account
        expect_status(grpc.StatusCode.PERMISSION_DENIED, lambda: stub.EarnPoints(
            pb.EarnPointsRequest(customer_id=customer, points=1, reason="more", idempotency_key=key(tag + "-r")),
            metadata=bearer(reader), timeout=RPC_TIMEOUT), "EarnPoints with a loyalty.read token")

        # The operator's certificate alone names a caller with no grants; a service's token holds
        # segmentation.read and events.deliver only.
        expect_status(grpc.StatusCode.PERMISSION_DENIED, lambda: stub.GetAccount(
            pb.GetAccountRequest(customer_id=customer), timeout=RPC_TIMEOUT), "GetAccount with the certificate alone")
        expect_status(grpc.StatusCode.PERMISSION_DENIED, lambda: stub.GetAccount(
            pb.GetAccountRequest(customer_id=customer), metadata=bearer(service_token), timeout=RPC_TIMEOUT),
            "GetAccount with segmentation's token")

        # A token signed by another key, or not a token at all: UNAUTHENTICATED.
        foreign = mint("operator", "*", directory=tmp_path / "other-pki")
        for token in (foreign, operator_token[:-4] + "AAAA"):
            expect_status(grpc.StatusCode.UNAUTHENTICATED, lambda: stub.GetAccount(
                pb.GetAccountRequest(customer_id=customer), metadata=bearer(token), timeout=RPC_TIMEOUT),
                "GetAccount with a token the service cannot verify")

        # Health answers any caller that completes the handshake.
        health = stubs.health
        assert health.rpc.HealthStub(mtls).Check(health.pb.HealthCheckRequest(service=""), timeout=RPC_TIMEOUT).status \
            == health.pb.HealthCheckResponse.SERVING

        # `crm` finds <data-dir>/pki by itself and calls as the operator; --plaintext does not
        # connect; the operator's certificate without the token is denied; CRM_TOKEN is sent.
        def crm_get(*flags: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
            return launcher.crm("loyalty", "get-account", customer, "--json", "--addr", server.address,
                                "--timeout", "5", *flags, env=env)

        found = crm_get("--data-dir", str(tmp_path))
        assert found.returncode == 0, f"crm with <data-dir>/pki: {found.returncode} {found.stderr}"
        assert json.loads(found.stdout)["account"]["customerId"] == customer
        plain = crm_get("--data-dir", str(tmp_path), "--plaintext")
        assert plain.returncode == grpc.StatusCode.UNAVAILABLE.value[0], plain.stderr
        certificate_only = crm_get("--tls-ca-file", str(pki / "ca.pem"), "--tls-cert-file", str(pki / "clients/operator.pem"),
                                   "--tls-key-file", str(pki / "clients/operator.key"))
        assert certificate_only.returncode == grpc.StatusCode.PERMISSION_DENIED.value[0], certificate_only.stderr
        with_env_token = crm_get("--data-dir", str(tmp_path), env={"CRM_TOKEN": reader})
        assert with_env_token.returncode == 0, with_env_token.stderr
        service_env_token = crm_get("--data-dir", str(tmp_path), env={"CRM_TOKEN": service_token})
        assert service_env_token.returncode == grpc.StatusCode.PERMISSION_DENIED.value[0], service_env_token.stderr

        # No TLS, or TLS without a client certificate: no connection, token or not.
        plaintext = loyalty.rpc.LoyaltyServiceStub(channel(None))
        expect_status(grpc.StatusCode.UNAVAILABLE, lambda: plaintext.GetAccount(
            pb.GetAccountRequest(customer_id=customer), metadata=bearer(operator_token), timeout=RPC_TIMEOUT),
            "GetAccount over plaintext")
        one_way = loyalty.rpc.LoyaltyServiceStub(channel(grpc.ssl_channel_credentials(root_certificates=ca)))
        expect_status(grpc.StatusCode.UNAVAILABLE, lambda: one_way.GetAccount(
            pb.GetAccountRequest(customer_id=customer), metadata=bearer(operator_token), timeout=RPC_TIMEOUT),
            "GetAccount over TLS without a client certificate")
    finally:
        for open_channel in channels:
            open_channel.close()
