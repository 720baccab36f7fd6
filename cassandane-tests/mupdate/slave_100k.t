#!/usr/bin/perl
# slave_100k.t - a frontend started against a master that already holds
# 100,000 mailboxes (loaded with ctl_mboxlist -u before the master
# starts, on a server that is not in this murder, so the backend's
# startup push leaves them alone): its mupdate slave copies the whole
# list into the frontend's mailboxes.db (timed, bounded), and right
# after that proxyd logs a user in and LISTs exactly that user's
# mailboxes, which a backend created through the master.
use FindBin;
use lib "$FindBin::Bin/../lib";
use Murder::Test timeout => 120;
use Murder::Proxy;
use Murder::MsgIMAP;
use Murder::LMTP;
use Murder::Util qw(find_binary);
use Time::HiRes qw(time);

skip_unless_built(qw(master imapd proxyd mupdate ctl_mboxlist));
plan(skip_all => 'needs the real MUPDATE flow') unless Murder::Proxy::real_flow();

my $N = 100_000;
my $LIMIT = 30;    # seconds the frontend may take (about 1 s expected)

my $t = Murder::Topology->murder(backends => 1, frontends => 1, placeholders => 1,
                                  config => { sasl_mech_list => 'PLAIN LOGIN' });
$t->add_user('alice', $Murder::Proxy::USERS{alice});
my ($m, $b, $f) = ($t->mupdate, $t->backend(0), $t->frontend(0));

# the master's list, loaded while it is stopped
$m->prepare;
my $dump = Murder::Instance::test_dir() . '/big.txt';
open(my $fh, '>', $dump) or die "$dump: $!";
printf $fh "user.u%06d\t%%M1 t=1:r p=7:default s=3:be9 a=11:u%06d\tlr\t\n", $_, $_
    for 0 .. $N - 1;
close($fh);
is(system(find_binary('ctl_mboxlist'), '-C', $m->imapd_conf, '-u', '-f', $dump), 0,
   "ctl_mboxlist -u loaded $N entries into the master");
$m->_chown_tree;
$m->start;
ok($m->wait_for_log(qr/mupdate master list loaded entries=<$N>/, 30), 'master loaded them');
$b->start;

# alice's mailboxes, created on the backend (which tells the master)
my $a = Murder::Proxy::admin($b);
my $s = Murder::Proxy::sep($a);
for my $mb ("user${s}alice", "user${s}alice${s}Sent", "user${s}alice${s}Work") {
    like($a->cmd("CREATE $mb") // 'EOF', qr/^\S+ OK/, "CREATE $mb on the backend");
}
$a->cmd('LOGOUT');

# the frontend, started now: time until its slave has the whole list
my $t0 = time();
$f->start;
my $synced = $f->wait_for_log(qr/mupdate slave synchronised .*entries=<\d+>/, $LIMIT);
my $secs = time() - $t0;
ok($synced, "frontend's slave synchronised within $LIMIT s");
my ($entries) = $synced ? $synced->[0] =~ /entries=<(\d+)>/ : (0);
is($entries, $N + 3, "it received all $N + 3 entries");
diag(sprintf('frontend start -> %d entries in its mailboxes.db: %.2f s', $entries, $secs));

my %have = Murder::Proxy::frontend_entries($t);
is(scalar(keys %have), $N + 3, "the frontend's mailboxes.db holds them all");
like($have{'user.u099999'} // '', qr/be9/, 'the last preloaded entry names its server');

# right after: proxyd logs alice in and lists her mailboxes only
my $t1 = time();
my $c = Murder::MsgIMAP::client($f, 'alice');
my ($ok, @l) = $c->cmd('LIST "" "*"', 30);
like($ok // 'EOF', qr/^\S+ OK/, 'LIST through the frontend');
my @names = sort map { /"([^"]+)"\s*$/ ? $1 : /\s(\S+)\s*$/ ? $1 : () } grep { /^\* LIST/ } @l;
my @want = sort('INBOX', "INBOX${s}Sent", "INBOX${s}Work");
my @alt = sort('INBOX', 'Sent', 'Work');   # personal folders beside INBOX
ok("@names" eq "@want" || "@names" eq "@alt", "alice sees her 3 mailboxes (@names)");
diag(sprintf('LOGIN + LIST through proxyd: %.2f s', time() - $t1));
$c->cmd('LOGOUT');

$t->stop;
done_testing;
