use acsready_facts::{AgentFact, CertificateFact, DeliveryFacts, EventFact, OsFacts};
use proptest::prelude::*;

use super::*;

fn host_strategy() -> impl Strategy<Value = HostFacts> {
    let text = || "[\\PC\n\t\"\\\\]{0,12}";
    let os = (
        proptest::option::of("[ a-zA-Z0-9]{0,10}"),
        proptest::option::of((1u32..40000, proptest::option::of(0u32..5000))),
        proptest::option::of(0u32..5000),
    )
        .prop_map(|(product_name, build, ubr)| OsFacts {
            product_name,
            current_build: build.map(|(b, u)| match u {
                Some(u) => format!("{b}.{u}"),
                None => b.to_string(),
            }),
            // A UBR in the build wins; a separate one must agree.
            ubr: match build {
                Some((_, Some(u))) => Some(u),
                _ => ubr,
            },
            ..OsFacts::default()
        });
    let cert = (
        "[0-9a-fA-F]{40}",
        "[A-Za-z]{1,8}",
        proptest::option::of(text()),
    )
        .prop_map(|(sha1, store, subject)| CertificateFact {
            sha1,
            store,
            subject,
            ..CertificateFact::default()
        });
    let agent = ("[a-z_]{1,12}", "[0-9.\\-]{0,12}")
        .prop_map(|(product, version)| AgentFact { product, version });
    let event = (
        any::<u32>(),
        proptest::option::of(text()),
        proptest::option::of(text()),
    )
        .prop_map(|(id, provider, message)| EventFact {
            id,
            provider,
            time: None,
            message,
        });
    (
        "[a-zA-Z0-9][\\PC\"\\\\]{0,15}",
        proptest::option::of(os),
        proptest::option::of(proptest::collection::vec("(kb|KB|KB )?[0-9]{1,9}", 0..4)),
        proptest::option::of(proptest::collection::vec(cert, 0..3)),
        proptest::option::of(any::<bool>()),
        proptest::option::of(proptest::collection::vec(agent, 0..3)),
        proptest::option::of(proptest::option::of(any::<bool>())),
        proptest::option::of(proptest::collection::vec(event, 0..3)),
    )
        .prop_map(
            |(host, os, updates, certificates, root, agents, delivery, events)| HostFacts {
                host,
                os,
                updates,
                certificates,
                root_auto_update_disabled: root,
                agents,
                delivery: delivery.map(|no_program_upgrade| DeliveryFacts { no_program_upgrade }),
                events,
                ..HostFacts::default()
            },
        )
}

/// Valid facts JSON mutated a little: a good start for breaking things.
fn mutated_json() -> impl Strategy<Value = Vec<u8>> {
    let docs = prop_oneof![
        Just(NDJSON.as_bytes().to_vec()),
        Just(PRETTY_ARRAY.as_bytes().to_vec()),
        Just(utf16(PRETTY_ARRAY, false, true)),
        Just(b"{\n \"host\": \"a\"\n}\n{\"host\":\"b\"}".to_vec()),
    ];
    (
        docs,
        proptest::collection::vec((any::<usize>(), any::<u8>(), 0u8..3), 0..6),
    )
        .prop_map(|(doc, edits)| acsready_testkit::apply_edits(doc, &edits))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn arbitrary_bytes_never_panic(
        prefix in prop_oneof![Just(&b""[..]), Just(&b"["[..]), Just(&b"{"[..]), Just(&b"\xFF\xFE"[..]), Just(&b"\xEF\xBB\xBF{"[..])],
        bytes in proptest::collection::vec(any::<u8>(), 0..512),
        max in 0usize..5,
    ) {
        let mut input = prefix.to_vec();
        input.extend_from_slice(&bytes);
        read_with(JsonFacts::new(&input[..], "in.json"), max);
    }

    #[test]
    fn mutated_json_never_panics(input in mutated_json(), max in 1usize..5) {
        read_with(JsonFacts::new(&input[..], "in.json"), max);
    }

    #[test]
    fn hosts_round_trip_through_every_shape(hosts in proptest::collection::vec(host_strategy(), 0..6)) {
        let expected: Vec<HostFacts> = hosts
            .iter()
            .map(|h| {
                let mut h = h.clone();
                h.normalize().map(|()| h)
            })
            .collect::<Result<_, _>>()
            .expect("the strategy makes valid facts");
        let compact: Vec<String> = hosts.iter().map(|h| serde_json::to_string(h).unwrap()).collect();
        let pretty: Vec<String> = hosts.iter().map(|h| serde_json::to_string_pretty(h).unwrap()).collect();
        let pretty_array = serde_json::to_string_pretty(&hosts).unwrap();
        let mut shapes = vec![
            ("ndjson", compact.join("\n").into_bytes()),
            ("ndjson crlf", compact.iter().map(|l| format!("{l}\r\n")).collect::<String>().into_bytes()),
            ("array", serde_json::to_vec(&hosts).unwrap()),
            ("pretty array", pretty_array.clone().into_bytes()),
            ("objects", pretty.join("\n").into_bytes()),
            ("utf-16 array", utf16(&pretty_array.replace('\n', "\r\n"), false, true)),
            ("utf-16 ndjson", utf16(&compact.join("\r\n"), true, true)),
        ];
        if let [one] = &pretty[..] {
            shapes.push(("one object", one.clone().into_bytes()));
        }
        for (shape, bytes) in shapes {
            let out = read_with(JsonFacts::new(&bytes[..], "in.json"), 4);
            prop_assert_eq!(&out.fatal, &None, "{}", shape);
            prop_assert!(out.errors().is_empty(), "{}: {:?}", shape, out.errors());
            let lines = out.lines();
            prop_assert!(lines.windows(2).all(|w| w[0] <= w[1]), "{}: {:?}", shape, lines);
            if shape.starts_with("ndjson") || shape == "utf-16 ndjson" {
                prop_assert_eq!(lines, (1..=hosts.len() as u64).collect::<Vec<_>>());
            }
            prop_assert_eq!(&out.records(), &expected, "{}", shape);
        }
    }
}
