#!/usr/bin/perl
# mbox_invisible.t - a mailbox the user has no rights on is never revealed:
# LIST and LSUB do not show it, and SELECT, EXAMINE, STATUS, GETACL,
# MYRIGHTS and DELETE answer exactly as for a mailbox that does not exist.
# With only 'l' it is listed, but SELECT is refused with NOPERM.
use FindBin;
use lib "$FindBin::Bin/../lib";
use Murder::Test timeout => 60;
use Murder::RawIMAP;

skip_unless_built(qw(master imapd));

my $n = Murder::RawIMAP::imapd_node(config => { allowallsubscribe => 1 });
my $a = Murder::RawIMAP->connect($n);
$a->login('admin', 'admin-pw');
$a->cmd($_) for ('CREATE user/alice', 'CREATE user/bob', 'CREATE user/bob/secret',
                 'CREATE user/bob/visible', 'SETACL user/bob/visible alice l');
my $c = Murder::RawIMAP->connect($n);
$c->login('alice', 'alice-pw');
my ($ok, @u) = $c->cmd('LIST "" "*"');
is_deeply(\@u, ['* LIST (\HasNoChildren) "/" "INBOX"',
                '* LIST (\HasNoChildren) "/" "Other Users/bob/visible"'],
          'LIST shows only what alice may see');
($ok, @u) = $c->cmd('LIST "" "Other Users/%"');
is_deeply(\@u, ['* LIST (\Noselect \HasChildren) "/" "Other Users/bob"'],
          'the invisible INBOX of bob is only a \Noselect level');
$c->cmd('SUBSCRIBE "Other Users/bob/secret"');
for my $cmd ('SELECT', 'EXAMINE', 'STATUS', 'GETACL', 'MYRIGHTS', 'DELETE') {
    my $arg = $cmd eq 'STATUS' ? ' (MESSAGES)' : '';
    my ($r1) = $c->cmd(qq{$cmd "Other Users/bob/secret"$arg});
    my ($r2) = $c->cmd(qq{$cmd "Other Users/bob/nonexistent"$arg});
    s/^t\d+ // for $r1, $r2;
    is($r1, $r2, "$cmd: invisible answers as nonexistent");
    like($r1, qr/^NO \[NONEXISTENT\]/, "$cmd: NONEXISTENT");
}
($ok, @u) = $c->cmd('LIST "" "Other Users/bob/secret"');
is_deeply(\@u, [], 'LIST by exact name: nothing');
($ok, @u) = $c->cmd('SELECT "Other Users/bob/visible"');
like($ok, qr/NO \[NOPERM\]/, 'l without r: SELECT is NOPERM');
$n->stop;
done_testing;
