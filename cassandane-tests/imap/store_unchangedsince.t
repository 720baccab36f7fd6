#!/usr/bin/perl
# store_unchangedsince.t - CONDSTORE (RFC 7162): ENABLE CONDSTORE, FETCH
# MODSEQ, STORE (UNCHANGEDSINCE n) that passes for some messages and
# fails for one changed meanwhile by another session: OK [MODIFIED set],
# the failed message untouched; FETCH (CHANGEDSINCE n).
use FindBin;
use lib "$FindBin::Bin/../lib";
use Murder::Test timeout => 60;
use Murder::MsgIMAP;

skip_unless_built(qw(master imapd));

my $n = Murder::MsgIMAP::node(users => ['alice']);
my $c = Murder::MsgIMAP::client($n, 'alice');
my ($ok, @u) = Murder::MsgIMAP::cmd($c, 'ENABLE CONDSTORE');
is_deeply(\@u, ['* ENABLED CONDSTORE'], 'ENABLE CONDSTORE');
Murder::MsgIMAP::cmd($c, 'SELECT INBOX');
my $msg = Murder::MsgIMAP::msg("Subject: s\n\nbody\n");
Murder::MsgIMAP::append($c, 'INBOX', $msg) for 1 .. 3;
Murder::MsgIMAP::cmd($c, 'NOOP');

($ok, @u) = Murder::MsgIMAP::cmd($c, 'FETCH 1:3 MODSEQ');
my %ms = map { /^\* (\d+) FETCH \(MODSEQ \((\d+)\)\)$/ ? ($1 => $2) : () } @u;
is(scalar(keys %ms), 3, 'MODSEQ of each message') or diag explain \@u;
my $since = (sort { $b <=> $a } values %ms)[0];

# another session changes message 2
my $d = Murder::MsgIMAP::client($n, 'alice', 'INBOX');
Murder::MsgIMAP::cmd($d, 'STORE 2 +FLAGS.SILENT (\Flagged)');

($ok, @u) = Murder::MsgIMAP::cmd($c, "STORE 1:3 (UNCHANGEDSINCE $since) +FLAGS (\\Seen)");
like($ok, qr/^\S+ OK \[MODIFIED 2\]/, 'MODIFIED names the changed message');
my @mine = grep { /\\Seen/ } @u;
is(scalar(@mine), 2, 'two messages stored') or diag explain \@u;
like($_, qr/MODSEQ \(\d+\)/, 'STORE response has MODSEQ') for @mine;
($ok, @u) = Murder::MsgIMAP::cmd($c, 'FETCH 2 FLAGS');
like(join("\n", @u), qr/^\* 2 FETCH \(FLAGS \(\\Flagged\)/m, 'failed message untouched');

($ok, @u) = Murder::MsgIMAP::cmd($c, "FETCH 1:3 (FLAGS) (CHANGEDSINCE $since)");
is(scalar(@u), 3, 'CHANGEDSINCE: all three changed since');
like($u[0], qr/MODSEQ/, 'CHANGEDSINCE adds MODSEQ');
($ok, @u) = Murder::MsgIMAP::cmd($c, 'FETCH 1:3 (FLAGS) (CHANGEDSINCE 999999999)');
is(scalar(@u), 0, 'nothing changed since a future modseq');
($ok, @u) = Murder::MsgIMAP::cmd($c, 'STORE 1 (UNCHANGEDSINCE 0) +FLAGS (\Draft)');
like($ok, qr/^\S+ OK \[MODIFIED 1\]/, 'UNCHANGEDSINCE 0 always fails');
$n->stop;
done_testing;
