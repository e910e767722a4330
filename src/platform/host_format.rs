//! Text both hosts produce for the engine: Alembic's `Create Date` and
//! revision ids. Pure: the caller brings the clock reading and the random bytes.

/// A local time as Alembic's script header shows it (`datetime.now()` printed):
/// `2026-11-22 03:03:40.760990`. `month` is 1-based.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LocalTime {
    pub year: i32,
    pub month: u32,
    pub day: u32,
    pub hour: u32,
    pub minute: u32,
    pub second: u32,
    pub microsecond: u32,
}

pub fn create_date(t: LocalTime) -> String {
    format!(
        "{:04}-{:02}-{:02} {:02}:{:02}:{:02}.{:06}",
        t.year, t.month, t.day, t.hour, t.minute, t.second, t.microsecond
    )
}

/// A revision id from 6 random bytes: 12 lowercase hex digits, like
/// Alembic's `uuid.uuid4().hex[-12:]`.
pub fn rev_id(bytes: [u8; 6]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn create_date_pads_like_python() {
        let t = LocalTime { year: 2026, month: 1, day: 2, hour: 3, minute: 4, second: 5, microsecond: 60 };
        assert_eq!(create_date(t), "2026-01-02 03:04:05.000060");
    }

    #[test]
    fn rev_id_is_twelve_hex_digits() {
        assert_eq!(rev_id([0x00, 0x1a, 0xff, 0x10, 0x09, 0xab]), "001aff1009ab");
    }
}
