#!/usr/bin/perl
# search_charset.t - SEARCH CHARSET (RFC 3501 6.4.4): UTF-8 and US-ASCII
# strings, an ISO-8859-1 literal converted through iconv, case-insensitive
# matching of non-ASCII text (RFC 2047 subject, quoted-printable
# ISO-8859-1 body), and NO [BADCHARSET (...)] for an unknown charset.
use FindBin;
use lib "$FindBin::Bin/../lib";
use Murder::Test timeout => 60;
use Murder::SearchCorpus;

skip_unless_built(qw(master imapd));

my ($n, $c) = Murder::SearchCorpus::setup();

# lit - a non-synchronising literal of the bytes $s
sub lit { my ($s) = @_; return '{' . length($s) . "+}\r\n$s"; }

my @cases = (
    [ 'CHARSET UTF-8 SUBJECT ' . lit("gr\xc3\xbc\xc3\x9fe"), '3', 'UTF-8 subject' ],
    [ 'CHARSET UTF-8 SUBJECT ' . lit("GR\xc3\x9cSSE"), '3', 'case and sharp s fold' ],
    [ 'CHARSET UTF-8 BODY ' . lit("caf\xc3\xa9 CR\xc3\x88ME"), '3', 'QP latin-1 body' ],
    [ 'CHARSET ISO-8859-1 BODY ' . lit("caf\xe9"), '3', 'ISO-8859-1 search string' ],
    [ 'CHARSET ISO-8859-1 FROM ' . lit("Andr\xe9"), '3', 'ISO-8859-1 vs RFC 2047 from' ],
    [ 'CHARSET US-ASCII SUBJECT lunch', '4 5 6', 'US-ASCII' ],
    [ 'CHARSET us-ascii BODY secret', '2', 'base64 body, lower-case charset' ],
    [ 'BODY ' . lit("caf\xc3\xa9"), '3', 'no CHARSET: UTF-8' ],
    [ 'CHARSET UTF-8 BODY ' . lit("cafe"), '', 'no accent folding' ],
);
for my $t (@cases) {
    my ($ok, $got) = Murder::SearchCorpus::search($c, "SEARCH $t->[0]");
    like($ok, qr/^\S+ OK/, "$t->[2]: OK");
    is($got, $t->[1], $t->[2]);
}

my ($ok) = Murder::MsgIMAP::cmd($c, 'SEARCH CHARSET X-NO-SUCH SUBJECT x');
like($ok // '', qr/^\S+ NO \[BADCHARSET \(UTF-8 US-ASCII\)\]/, 'unknown charset: BADCHARSET');
($ok) = Murder::MsgIMAP::cmd($c, 'SEARCH CHARSET');
like($ok // '', qr/^\S+ BAD /, 'CHARSET without a name: BAD');

done_testing();
