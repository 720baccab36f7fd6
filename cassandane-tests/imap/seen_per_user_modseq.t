#!/usr/bin/perl
# seen_per_user_modseq.t - per-user \Seen (imap/seen_view.h) beyond STORE:
# a per-user \Seen change gives the message a new modseq (as Cyrus), so
# FETCH CHANGEDSINCE and SELECT (QRESYNC ...) report it; APPEND with \Seen
# and COPY into a mailbox where the user's \Seen is per user set the
# user's seen state, not the index bit (the owner's); COPY out of such a
# mailbox into the user's own carries the user's \Seen, not the owner's.
use FindBin;
use lib "$FindBin::Bin/../lib";
use Murder::Test timeout => 60;
use Murder::MsgIMAP;

skip_unless_built(qw(master imapd));

my $n = Murder::MsgIMAP::node();
my $S = $Murder::MsgIMAP::SEP;
my $adm = Murder::MsgIMAP::client($n, 'admin');
like(scalar $adm->cmd('CREATE shared'), qr/^\S+ OK/, 'admin creates a shared mailbox');
$adm->cmd("SETACL shared $_ lrswite") for qw(alice bob);
my $sh = "\"Shared Folders${S}shared\"";
my $al = Murder::MsgIMAP::client($n, 'alice');
Murder::MsgIMAP::append($al, $sh, Murder::MsgIMAP::msg("Subject: s$_\n\nbody $_\n"))
    for 1 .. 3;

# flags - "uid:flags ..." of a FETCH answer's untagged lines
sub flags {
    my (@u) = @_;
    my %f;
    for (@u) {
        next unless /^\* \d+ FETCH /;
        my ($uid) = /UID (\d+)/;
        my ($fl) = /FLAGS \(([^)]*)\)/;
        $f{$uid} = $fl if defined $uid && defined $fl;
    }
    return join(' ', map { "$_:$f{$_}" } sort { $a <=> $b } keys %f);
}
# fetch_flags - UID FETCH $set (UID FLAGS) [$mods] on $c, as flags()
sub fetch_flags {
    my ($c, $set, $mods) = @_;
    my ($ok, @u) = Murder::MsgIMAP::cmd($c, "UID FETCH $set (UID FLAGS)" .
                                        ($mods ? " ($mods)" : ''));
    return flags(@u);
}
# highest - HIGHESTMODSEQ from a SELECT/EXAMINE answer
sub highest {
    my ($c, $cmd) = @_;
    my ($ok, @u) = Murder::MsgIMAP::cmd($c, $cmd);
    my ($m) = join("\n", @u) =~ /HIGHESTMODSEQ (\d+)/;
    my ($v) = join("\n", @u) =~ /UIDVALIDITY (\d+)/;
    return ($m, $v, @u);
}

# --- CONDSTORE / QRESYNC see bob's per-user \Seen ---
my $bob = Murder::MsgIMAP::client($n, 'bob');
Murder::MsgIMAP::cmd($bob, 'ENABLE QRESYNC');
my ($m0, $uv) = highest($bob, "SELECT $sh (CONDSTORE)");
ok($m0, "HIGHESTMODSEQ $m0");
Murder::MsgIMAP::cmd($bob, 'UID STORE 2 +FLAGS.SILENT (\Seen)');
is(fetch_flags($bob, '1:*', "CHANGEDSINCE $m0"), '2:\Seen',
   'CHANGEDSINCE reports bob\'s \Seen');
my ($m1) = highest($bob, "EXAMINE $sh");
ok($m1 > $m0, 'HIGHESTMODSEQ moved');
my $bob2 = Murder::MsgIMAP::client($n, 'bob');
Murder::MsgIMAP::cmd($bob2, 'ENABLE QRESYNC');
my (undef, undef, @u) = highest($bob2, "SELECT $sh (QRESYNC ($uv $m0))");
is(flags(@u), '2:\Seen', 'QRESYNC resync reports bob\'s \Seen');
# FETCH BODY[] sets \Seen per user: also a new modseq
Murder::MsgIMAP::cmd($bob2, 'UID FETCH 3 BODY[TEXT]');
is(fetch_flags($bob2, '1:*', "CHANGEDSINCE $m1"), '3:\Seen',
   'CHANGEDSINCE reports the \Seen of FETCH BODY[]');
# bob's removal too
my ($m2) = highest($bob2, "SELECT $sh (CONDSTORE)");
Murder::MsgIMAP::cmd($bob2, 'UID STORE 3 -FLAGS.SILENT (\Seen)');
is(fetch_flags($bob2, '1:*', "CHANGEDSINCE $m2"), '3:',
   'CHANGEDSINCE reports the removal');
# alice sees the bump with her own (unchanged) flags, as Cyrus
my (undef, undef) = highest($al, "EXAMINE $sh (CONDSTORE)");
is(fetch_flags($al, '1:*', "CHANGEDSINCE $m0"), '2: 3:',
   'alice: the bumped messages with her own flags');

# --- APPEND \Seen into the shared mailbox ---
like(Murder::MsgIMAP::append($bob, $sh, Murder::MsgIMAP::msg("Subject: a\n\nx\n"), '\Seen'),
     qr/^\S+ OK/, 'bob appends with \Seen');
is(fetch_flags($bob, '4'), '4:\Seen', 'bob sees his \Seen on the append');
Murder::MsgIMAP::cmd($al, 'NOOP');
is(fetch_flags($al, '4'), '4:', 'alice does not');
Murder::MsgIMAP::cmd($adm, 'EXAMINE shared');
is(fetch_flags($adm, '4'), '4:', 'the index bit is clear (admin)');

# --- COPY into a mailbox where bob's \Seen is per user ---
$al->cmd('CREATE mine');
$al->cmd('SETACL mine bob lrswi');
my $ob = "\"Other Users${S}alice${S}mine\"";
Murder::MsgIMAP::cmd($bob, "SELECT $sh");
like(scalar Murder::MsgIMAP::cmd($bob, "UID COPY 1,2 $ob"), qr/^\S+ OK/,
     'bob copies 1 (unseen) and 2 (seen by him) into alice\'s folder');
Murder::MsgIMAP::cmd($al, 'SELECT mine');
is(fetch_flags($al, '1:*'), '1: 2:', 'alice (owner): neither is \Seen');
my $bob3 = Murder::MsgIMAP::client($n, 'bob', $ob);
is(fetch_flags($bob3, '1:*'), '1: 2:\Seen', 'bob: his \Seen came along');

# --- COPY out of alice's folder into bob's own INBOX ---
Murder::MsgIMAP::cmd($al, 'UID STORE 1 +FLAGS.SILENT (\Seen)');
is(fetch_flags($bob3, '1:*'), '1: 2:\Seen', 'alice\'s \Seen is not bob\'s');
like(scalar Murder::MsgIMAP::cmd($bob3, 'UID COPY 1:2 INBOX'), qr/^\S+ OK/,
     'bob copies both into his INBOX');
Murder::MsgIMAP::cmd($bob3, 'SELECT INBOX');
is(fetch_flags($bob3, '1:*'), '1: 2:\Seen', 'INBOX: bob\'s \Seen, not alice\'s');
$n->stop;
done_testing;
