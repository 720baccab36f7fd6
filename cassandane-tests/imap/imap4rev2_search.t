#!/usr/bin/perl
# imap4rev2_search.t - under ENABLE IMAP4rev2 (RFC 9051 6.4.4) SEARCH and
# UID SEARCH without RETURN answer "* ESEARCH (TAG ...) [UID] ALL <set>"
# (no ALL when nothing matched), never "* SEARCH"; explicit RETURN options
# still work; an IMAP4rev1 session still gets "* SEARCH".
use FindBin;
use lib "$FindBin::Bin/../lib";
use Murder::Test timeout => 60;
use Murder::MsgIMAP;

skip_unless_built(qw(master imapd));

my $n = Murder::MsgIMAP::node(users => ['alice'], config => { imap4rev2 => 'yes' });
my $c = Murder::MsgIMAP::client($n, 'alice');
Murder::MsgIMAP::append($c, 'INBOX', Murder::MsgIMAP::msg("Subject: m$_\n\nx\n")) for 1 .. 5;
my $old = Murder::MsgIMAP::client($n, 'alice', 'INBOX');
Murder::MsgIMAP::cmd($old, 'STORE 2,4,5 +FLAGS.SILENT (\Flagged)');
Murder::MsgIMAP::cmd($c, 'ENABLE IMAP4rev2');
Murder::MsgIMAP::cmd($c, 'SELECT INBOX');

my $tag = 't' . ($c->{tag} + 1);
my ($ok, @u) = Murder::MsgIMAP::cmd($c, 'SEARCH FLAGGED');
is_deeply(\@u, ["* ESEARCH (TAG \"$tag\") ALL 2,4:5"], 'SEARCH: ESEARCH ALL');
$tag = 't' . ($c->{tag} + 1);
($ok, @u) = Murder::MsgIMAP::cmd($c, 'UID SEARCH FLAGGED');
is_deeply(\@u, ["* ESEARCH (TAG \"$tag\") UID ALL 2,4:5"], 'UID SEARCH: ESEARCH UID ALL');
$tag = 't' . ($c->{tag} + 1);
($ok, @u) = Murder::MsgIMAP::cmd($c, 'SEARCH DELETED');
is_deeply(\@u, ["* ESEARCH (TAG \"$tag\")"], 'no match: ESEARCH without ALL');
$tag = 't' . ($c->{tag} + 1);
($ok, @u) = Murder::MsgIMAP::cmd($c, 'SEARCH RETURN (COUNT) FLAGGED');
is_deeply(\@u, ["* ESEARCH (TAG \"$tag\") COUNT 3"], 'explicit RETURN honoured');
($ok, @u) = Murder::MsgIMAP::cmd($old, 'SEARCH FLAGGED');
is_deeply([grep { /SEARCH/ } @u], ['* SEARCH 2 4 5'], 'IMAP4rev1 session: SEARCH');
$n->stop;
done_testing;
